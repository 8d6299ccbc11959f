using System.Collections.Immutable;
using Castio.Functions.Http;
using Castio.Functions.Observability;
using Castio.Tests.Infrastructure;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.Extensions.DependencyInjection;
using static Castio.Tests.Observability.SentryCapture;

namespace Castio.Tests.Observability;

/// <summary>
/// The capture point under the Functions host: the worker middleware, given invocations of each trigger kind as
/// the worker describes them (binding types from functions.metadata), reports through the same endpoint.
/// </summary>
public class FunctionFailureMiddlewareTests(AzuriteFixture azurite)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("timerTrigger", "timer")]
    [InlineData("activityTrigger", "activity")]
    [InlineData("orchestrationTrigger", "orchestration")]
    public async Task AnExceptionIsReportedOnceWithItsComponentAndStillFails(string trigger, string component)
    {
        await using var app = Create(azurite, out _);
        using var client = app.CreateHttpClient();
        var middleware = new FunctionFailureMiddleware(app.Services.GetRequiredService<FunctionFailures>());
        var thrown = new InvalidOperationException("copy failed");

        var escaped = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            middleware.Invoke(new FakeContext("Worker_" + component, trigger), _ =>
            {
                Castio.Core.Observability.ErrorTags.Set(orgId: FaultyFunctions.OrgId, meetingId: "m-1");
                throw thrown;
            }));

        Assert.Same(thrown, escaped);
        var e = Assert.Single(await EventsAsync(app, client, VendorName, atLeast: 1));
        Assert.Equal(component, e.Tag("component"));
        Assert.Equal("Worker_" + component, e.Tag("function"));
        Assert.Equal(FaultyFunctions.OrgId, e.Tag("org_id"));
        Assert.Equal("m-1", e.Tag("meeting_id"));
    }

    [Fact]
    public async Task AnOrchestrationFailingOnItsActivitysFailureIsNotReportedAgain()
    {
        await using var app = Create(azurite, out _);
        using var client = app.CreateHttpClient();
        var middleware = new FunctionFailureMiddleware(app.Services.GetRequiredService<FunctionFailures>());

        await Assert.ThrowsAsync<TaskFailedException>(() =>
            middleware.Invoke(new FakeContext("Worker_Orchestrator", "orchestrationTrigger"), _ =>
                throw new TaskFailedException("Copy", 1, new TaskFailureDetails("System.IO.IOException", "copy failed", null, null, null))));
        await Assert.ThrowsAsync<ProblemException>(() =>
            middleware.Invoke(new FakeContext("Worker_Http", "httpTrigger"), _ => throw new ProblemException(409, "x.conflict", "Conflict")));

        Assert.Empty(await EventsAsync(app, client, VendorName));
    }

    [Fact]
    public async Task ASuccessfulInvocationReportsNothing()
    {
        await using var app = Create(azurite, out _);
        using var client = app.CreateHttpClient();
        var middleware = new FunctionFailureMiddleware(app.Services.GetRequiredService<FunctionFailures>());

        await middleware.Invoke(new FakeContext("Worker_Timer", "timerTrigger"), _ => Task.CompletedTask);

        Assert.Empty(await EventsAsync(app, client, VendorName));
    }

    private sealed class FakeContext(string name, string trigger) : FunctionContext
    {
        public override string InvocationId { get; } = Guid.NewGuid().ToString();
        public override string FunctionId => name;
        public override TraceContext TraceContext => null!;
        public override BindingContext BindingContext => null!;
        public override Microsoft.Azure.Functions.Worker.RetryContext RetryContext => null!;
        public override IServiceProvider InstanceServices { get; set; } = new ServiceCollection().BuildServiceProvider();
        public override FunctionDefinition FunctionDefinition { get; } = new FakeDefinition(name, trigger);
        public override IDictionary<object, object> Items { get; set; } = new Dictionary<object, object>();
        public override IInvocationFeatures Features => null!;
        public override CancellationToken CancellationToken => Ct;
    }

    private sealed class FakeDefinition(string name, string trigger) : FunctionDefinition
    {
        public override ImmutableArray<FunctionParameter> Parameters => [];
        public override string PathToAssembly => typeof(FakeDefinition).Assembly.Location;
        public override string EntryPoint => "Tests." + name;
        public override string Id => name;
        public override string Name => name;
        public override IImmutableDictionary<string, BindingMetadata> InputBindings { get; } =
            ImmutableDictionary<string, BindingMetadata>.Empty.Add("trigger", new FakeBinding("trigger", trigger));
        public override IImmutableDictionary<string, BindingMetadata> OutputBindings => ImmutableDictionary<string, BindingMetadata>.Empty;
    }

    private sealed class FakeBinding(string name, string type) : BindingMetadata
    {
        public override string Name => name;
        public override string Type => type;
        public override BindingDirection Direction => BindingDirection.In;
    }
}
