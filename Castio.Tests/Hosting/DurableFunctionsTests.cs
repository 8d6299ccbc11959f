using Castio.Functions.Http;
using Castio.LocalHost;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Castio.Tests.Hosting;

/// <summary>
/// Orchestrator and activity functions, written as the isolated worker wants them, run in Castio.LocalHost's
/// in-memory Durable adapter under their [Function] names, with activities built from DI.
/// </summary>
public class DurableFunctionsTests
{
    private static readonly FunctionCatalog Catalog = new([typeof(GreetingFunctions)]);

    [Fact]
    public void TheCatalogFindsOrchestratorsAndActivities()
    {
        Assert.Equal(["Greeting_Run"], Catalog.Orchestrators.Select(o => o.Name));
        Assert.Equal(["Greeting_SayHello"], Catalog.Activities.Select(a => a.Name));
        Assert.Equal(typeof(string), Catalog.Activities[0].Input.ParameterType);
    }

    [Fact]
    public async Task AnOrchestrationCallsItsActivitiesAndCompletes()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = await DurableTaskTestHost.StartAsync(
            registry => DurableFunctions.Register(registry, Catalog),
            new DurableTaskTestHostOptions { ConfigureServices = s => s.AddSingleton(new Greeter("Hello")) },
            ct);

        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync("Greeting_Run", new[] { "Ada", "Grace" },
            new StartOrchestrationOptions("greeting-" + Guid.NewGuid().ToString("N")), ct);
        var done = await host.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, ct);

        Assert.True(done.RuntimeStatus == OrchestrationRuntimeStatus.Completed, $"{done.RuntimeStatus}: {done.FailureDetails}");
        Assert.Equal("Hello Ada; Hello Grace", done.ReadOutputAs<string>());
    }

    /// <summary>What LocalHost registers: the worker in the app's own host, activities from the app's services, and a client to start with.</summary>
    [Fact]
    public async Task InTheAppsOwnHostTheClientStartsAnOrchestration()
    {
        var ct = TestContext.Current.CancellationToken;
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Services.AddSingleton(new Greeter("Hi"));
        builder.Services.AddDurableFunctions(Catalog);
        using var app = builder.Build();
        await app.StartAsync(ct);
        try
        {
            var client = app.Services.GetRequiredService<DurableTaskClient>();
            var id = await client.ScheduleNewOrchestrationInstanceAsync("Greeting_Run", new[] { "Linus" }, cancellation: ct);
            var done = await client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, ct);
            Assert.True(done.RuntimeStatus == OrchestrationRuntimeStatus.Completed, $"{done.RuntimeStatus}: {done.FailureDetails}");
            Assert.Equal("Hi Linus", done.ReadOutputAs<string>());
        }
        finally
        {
            await app.StopAsync(ct);
        }
    }

    [Fact]
    public void NothingDurableStartsNothing()
    {
        var services = new ServiceCollection();
        services.AddDurableFunctions(new FunctionCatalog([typeof(Castio.Functions.Ping.PingFunctions)]));
        Assert.Empty(services);
    }
}

public sealed record Greeter(string Word);

public sealed class GreetingFunctions(Greeter greeter)
{
    [Function("Greeting_Run")]
    public static async Task<string> Run([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        var names = context.GetInput<string[]>() ?? [];
        var greetings = new List<string>();
        foreach (var name in names)
            greetings.Add(await context.CallActivityAsync<string>("Greeting_SayHello", name));
        return string.Join("; ", greetings);
    }

    [Function("Greeting_SayHello")]
    public string SayHello([ActivityTrigger] string name) => $"{greeter.Word} {name}";
}
