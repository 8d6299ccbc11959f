using System.Text.Json;
using Castio.Functions.Hosting;
using Castio.Tests.Infrastructure;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;

namespace Castio.Tests.Hosting;

/// <summary>The publish generator's output (spec §2, §3) and the rule that every HTTP route belongs to a function.</summary>
public sealed class FunctionManifestTests(AzuriteFixture azurite) : IDisposable
{
    private readonly string _output = Path.Combine(Path.GetTempPath(), "castio-publish-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_output))
            Directory.Delete(_output, recursive: true);
    }

    private static JsonElement ReadJson(string path) => JsonDocument.Parse(File.ReadAllText(path)).RootElement;

    private void Generate() =>
        FunctionManifest.Write(_output, AppFunctions.All, File.ReadAllText(Path.Combine(AppContext.BaseDirectory, FunctionManifest.HostFile)));

    private static List<RouteEndpoint> MappedHttpEndpoints(CastioApplication app) =>
        [.. app.Services.GetServices<EndpointDataSource>().SelectMany(s => s.Endpoints).OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<InvocationEndpoints.InvocationEndpointMetadata>() is null)];

    [Fact]
    public void HostJsonConfiguresTheCustomHandlerForForwardedRoutesUnderAnEmptyPrefix()
    {
        Generate();
        var host = ReadJson(Path.Combine(_output, "host.json"));
        Assert.Equal("2.0", host.GetProperty("version").GetString());
        var handler = host.GetProperty("customHandler");
        Assert.Equal("Castio.Functions", handler.GetProperty("description").GetProperty("defaultExecutablePath").GetString());
        Assert.True(handler.GetProperty("enableForwardingHttpRequest").GetBoolean());
        Assert.False(handler.TryGetProperty("http", out _)); // http.routes cannot coexist with function.json files
        Assert.Equal("Microsoft.Azure.Functions.ExtensionBundle", host.GetProperty("extensionBundle").GetProperty("id").GetString());
        Assert.Equal("[4.*, 5.0.0)", host.GetProperty("extensionBundle").GetProperty("version").GetString());
        Assert.Equal("", host.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString());
        Assert.Equal(new QueuePollingOptions().MaxDequeueCount, host.GetProperty("extensions").GetProperty("queues").GetProperty("maxDequeueCount").GetInt32());
    }

    [Fact]
    public void EveryFunctionGetsAFunctionJsonWithTheBindingsOfItsTrigger()
    {
        Generate();
        var folders = Directory.GetDirectories(_output).Select(d => Path.GetFileName(d)!).ToHashSet();
        Assert.Equal(AppFunctions.All.Select(f => f.Name).ToHashSet(), folders);
        foreach (var function in AppFunctions.All)
        {
            var bindings = ReadJson(Path.Combine(_output, function.Name, "function.json")).GetProperty("bindings").EnumerateArray().ToList();
            var trigger = bindings[0];
            Assert.Equal("in", trigger.GetProperty("direction").GetString());
            switch (function)
            {
                case HttpFunction http:
                    // Exactly httpTrigger in + http out, or the host stops forwarding it (spec §4.1).
                    Assert.Equal(2, bindings.Count);
                    Assert.Equal("httpTrigger", trigger.GetProperty("type").GetString());
                    Assert.Equal("anonymous", trigger.GetProperty("authLevel").GetString());
                    Assert.Equal(http.Route, trigger.GetProperty("route").GetString());
                    Assert.All(trigger.GetProperty("methods").EnumerateArray(), m => Assert.Equal(m.GetString()!.ToLowerInvariant(), m.GetString()));
                    Assert.Equal("http", bindings[1].GetProperty("type").GetString());
                    Assert.Equal("out", bindings[1].GetProperty("direction").GetString());
                    break;
                case TimerFunction:
                    Assert.Single(bindings);
                    Assert.Equal("timerTrigger", trigger.GetProperty("type").GetString());
                    Assert.Equal(InvocationEndpoints.TimerBinding, trigger.GetProperty("name").GetString());
                    Assert.True(CrontabSchedule.TryParse(trigger.GetProperty("schedule").GetString(), out _, out var error), error);
                    Assert.False(trigger.GetProperty("runOnStartup").GetBoolean());
                    break;
                case QueueFunction queue:
                    Assert.Single(bindings);
                    Assert.Equal("queueTrigger", trigger.GetProperty("type").GetString());
                    Assert.Equal(InvocationEndpoints.QueueBinding, trigger.GetProperty("name").GetString());
                    Assert.Equal(queue.QueueName, trigger.GetProperty("queueName").GetString());
                    Assert.Equal("AzureWebJobsStorage", trigger.GetProperty("connection").GetString());
                    break;
            }
        }
    }

    [Fact]
    public async Task EveryMappedHttpEndpointIsCoveredByAGeneratedHttpFunction()
    {
        Generate();
        var generated = AppFunctions.Http.Select(f => f.Name)
            .Select(name => ReadJson(Path.Combine(_output, name, "function.json")).GetProperty("bindings")[0])
            .Select((b, i) => new HttpFunction($"f{i}", b.GetProperty("route").GetString()!,
                b.TryGetProperty("methods", out var m) ? [.. m.EnumerateArray().Select(x => x.GetString()!)] : []))
            .ToList();
        await using var app = new CastioApplication(azurite);
        _ = app.BaseAddress;

        var endpoints = MappedHttpEndpoints(app);

        Assert.NotEmpty(endpoints);
        Assert.All(endpoints, e => Assert.True(
            RouteCoverage.IsCovered(e.RoutePattern, e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods.ToList(), generated),
            $"{e.DisplayName} ({e.RoutePattern.RawText}) is not covered by any HTTP function in Hosting/AppFunctions.cs"));
    }

    [Fact]
    public void CoverageCheckSpotsARouteNoFunctionForwards()
    {
        HttpFunction[] functions = [Function.Http("Auth", "api/auth/{*rest}", "get", "post"), Function.Http("Ping", "api/ping", "get")];
        Assert.True(RouteCoverage.IsCovered(RoutePatternFactory.Parse("/api/auth/login"), ["POST"], functions));
        Assert.True(RouteCoverage.IsCovered(RoutePatternFactory.Parse("/api/auth/users/{id}/roles"), ["GET"], functions));
        Assert.False(RouteCoverage.IsCovered(RoutePatternFactory.Parse("/api/auth/login"), ["DELETE"], functions));
        Assert.False(RouteCoverage.IsCovered(RoutePatternFactory.Parse("/api/meetings/{id}"), ["GET"], functions));
        Assert.False(RouteCoverage.IsCovered(RoutePatternFactory.Parse("/api/ping/deep"), ["GET"], functions));
        Assert.False(RouteCoverage.IsCovered(RoutePatternFactory.Parse("/webhooks/rtk"), ["POST"], functions));
    }

    [Fact]
    public void DefinitionsTheHostWouldRejectAreReported()
    {
        FunctionDefinition[] bad =
        [
            Function.Http("Ping", "api/ping", "get"),
            Function.Http("ping", "api/other", "get"),
            Function.Http("Admin", "admin/thing", "get"),
            Function.Http("Slash", "/api/x", "get"),
            new TimerFunction("Tick", "*/5 * * * *", typeof(Castio.Functions.Probes.Heartbeat)),
            new QueueFunction("Q", "Bad_Queue", typeof(Castio.Functions.Probes.EchoConsumer)),
            Function.Http("has space", "api/y", "get"),
        ];
        var errors = FunctionManifest.Validate(bad);
        Assert.Contains(errors, e => e.Contains("more than once"));
        Assert.Contains(errors, e => e.Contains("'Admin'"));
        Assert.Contains(errors, e => e.Contains("'Slash'"));
        Assert.Contains(errors, e => e.Contains("'Tick'"));
        Assert.Contains(errors, e => e.Contains("'Q'"));
        Assert.Contains(errors, e => e.Contains("'has space'"));
        Assert.Throws<InvalidOperationException>(() => FunctionManifest.Write(_output, bad, "{}"));
    }

    [Fact]
    public async Task PublishCommandWithManifestsOnlyWritesTheLayout()
    {
        var code = await PublishCommand.RunAsync([_output, "--manifests-only"]);
        Assert.Equal(0, code);
        Assert.True(File.Exists(Path.Combine(_output, "host.json")));
        Assert.All(AppFunctions.All, f => Assert.True(File.Exists(Path.Combine(_output, f.Name, "function.json")), f.Name));
    }

    [Fact]
    public async Task PublishCommandWithoutAnOutputFolderIsAUsageError() =>
        Assert.Equal(2, await PublishCommand.RunAsync([]));

    [Fact]
    public void TheDefinedFunctionsAreValid() => Assert.Empty(FunctionManifest.Validate(AppFunctions.All));
}
