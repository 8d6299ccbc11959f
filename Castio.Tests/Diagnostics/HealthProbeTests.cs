using System.Net.Http.Json;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Castio.Core.Diagnostics;
using Castio.Core.Rtk;
using Castio.Core.Storage;
using Castio.LocalHost;
using Castio.Tests.Infrastructure;
using Castio.Tests.Rtk;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using DiagnosticsOptions = Castio.Core.Diagnostics.DiagnosticsOptions;

namespace Castio.Tests.Diagnostics;

/// <summary>Each probe healthy, degraded (slower than 2 s) and unhealthy, against real storage and the RTK simulator.</summary>
public class HealthProbeTests(AzuriteFixture azurite, SimulatorFixture simulator) : IClassFixture<SimulatorFixture>, IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync() => await SetFaultsAsync(reset: true);

    private async Task SetFaultsAsync(object? faults = null, bool reset = false)
    {
        using var http = new HttpClient { BaseAddress = new Uri(simulator.Sim.ServerUrl) };
        var response = reset
            ? await http.PostAsync("/__sim/faults/reset", null, CancellationToken.None)
            : await http.PutAsJsonAsync("/__sim/faults", faults, CancellationToken.None);
        response.EnsureSuccessStatusCode();
    }

    private static HealthProbes Probes(string connectionString, RtkOptions rtk, HttpPipelinePolicy? storagePolicy = null, int storageRetries = 3)
    {
        T WithPolicy<T>(T options) where T : ClientOptions
        {
            options.Retry.MaxRetries = storageRetries;
            options.Retry.Delay = TimeSpan.FromMilliseconds(10);
            if (storagePolicy is not null) options.AddPolicy(storagePolicy, HttpPipelinePosition.PerCall);
            return options;
        }

        return new HealthProbes(
            new TableServiceClient(connectionString, WithPolicy(new TableClientOptions())),
            new BlobServiceClient(connectionString, WithPolicy(new BlobClientOptions())),
            new QueueServiceClient(connectionString, WithPolicy(new QueueClientOptions())),
            RtkTestKit.Client(rtk),
            Options.Create(rtk),
            Options.Create(new StorageOptions { NamePrefix = "t" + Guid.NewGuid().ToString("N")[..8] }),
            Options.Create(new DiagnosticsOptions { ProbeTimeout = TimeSpan.FromSeconds(8) }));
    }

    private RtkOptions Rtk(Action<RtkOptions>? configure = null) => RtkTestKit.OptionsFor(simulator.Sim, o =>
    {
        o.MaxRetries = 0;
        configure?.Invoke(o);
    });

    private static ProbeResult Probe(IReadOnlyList<ProbeResult> results, string name) => Assert.Single(results, p => p.Name == name);

    [Fact]
    public async Task EveryProbeIsHealthyOnAzuriteAndTheSimulator()
    {
        var results = await Probes(azurite.ConnectionString, Rtk()).RunAsync(null, Ct);

        Assert.Equal([ProbeNames.Blob, ProbeNames.Queue, ProbeNames.Rtk, ProbeNames.Table], results.Select(p => p.Name).Order());
        Assert.All(results, p =>
        {
            Assert.Equal(HealthStatus.Healthy, p.Status);
            Assert.Null(p.Error);
            Assert.InRange(p.LatencyMs, 0, 2000);
        });
        Assert.Contains(simulator.Sim.State.Requests, r => r.Method == "GET" && r.Path.EndsWith("/apps", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheRtkProbeUsesTheOrgsAppWithItsToken()
    {
        var appId = await RtkTestKit.NewAppAsync(RtkTestKit.Client(simulator.Sim), Ct);
        var before = simulator.Sim.State.Requests.Count;

        var results = await Probes(azurite.ConnectionString, Rtk()).RunAsync(appId, Ct);

        Assert.Equal(HealthStatus.Healthy, Probe(results, ProbeNames.Rtk).Status);
        Assert.Contains(simulator.Sim.State.Requests.Skip(before), r => r.Method == "GET" && r.Path.EndsWith($"/{appId}/meetings", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StorageProbesAreDegradedWhenStorageAnswersSlowly()
    {
        var results = await Probes(azurite.ConnectionString, Rtk(), new SlowPolicy(TimeSpan.FromMilliseconds(2300))).RunAsync(null, Ct);

        foreach (var name in new[] { ProbeNames.Table, ProbeNames.Blob, ProbeNames.Queue })
        {
            var probe = Probe(results, name);
            Assert.Equal(HealthStatus.Degraded, probe.Status);
            Assert.InRange(probe.LatencyMs, 2000, 8000);
            Assert.Null(probe.Error);
        }

        Assert.NotEqual(HealthStatus.Unhealthy, Probe(results, ProbeNames.Rtk).Status);
    }

    [Fact]
    public async Task StorageProbesAreUnhealthyWhenAzuriteIsStoppedAndTheErrorNamesNoAccountOrAddress()
    {
        var root = AzuriteProcess.FindRepoRoot(AppContext.BaseDirectory)!;
        var stopped = await AzuriteProcess.StartAsync(new AzuriteStartOptions(root), NullLogger.Instance, Ct);
        var connectionString = stopped.ConnectionString;
        await stopped.DisposeAsync();

        var results = await Probes(connectionString, Rtk(), storageRetries: 0).RunAsync(null, Ct);

        foreach (var name in new[] { ProbeNames.Table, ProbeNames.Blob, ProbeNames.Queue })
        {
            var probe = Probe(results, name);
            Assert.Equal(HealthStatus.Unhealthy, probe.Status);
            Assert.StartsWith("No answer from storage", probe.Error);
            Assert.DoesNotContain("127.0.0.1", probe.Error);
            Assert.DoesNotContain(AzuriteProcess.DevelopmentAccountName, probe.Error);
        }

        Assert.NotEqual(HealthStatus.Unhealthy, Probe(results, ProbeNames.Rtk).Status);
    }

    [Fact]
    public async Task TheRtkProbeIsDegradedWhenTheSimulatorIsSlow()
    {
        await SetFaultsAsync(new { latency_ms = 2300 });

        var rtk = Probe(await Probes(azurite.ConnectionString, Rtk()).RunAsync(null, Ct), ProbeNames.Rtk);

        Assert.Equal(HealthStatus.Degraded, rtk.Status);
        Assert.InRange(rtk.LatencyMs, 2000, 8000);
    }

    [Fact]
    public async Task TheRtkProbeIsUnhealthyWhenTheSimulatorIsDown()
    {
        await SetFaultsAsync(new { down = true });

        var rtk = Probe(await Probes(azurite.ConnectionString, Rtk()).RunAsync(null, Ct), ProbeNames.Rtk);

        Assert.Equal(HealthStatus.Unhealthy, rtk.Status);
        Assert.StartsWith("RealtimeKit answered 5", rtk.Error);
        Assert.DoesNotContain(simulator.Sim.Options.ApiToken ?? "no-token", rtk.Error);
    }

    [Fact]
    public async Task TheRtkProbeIsUnhealthyWhenTheTokenIsRefused()
    {
        var rtk = Probe(await Probes(azurite.ConnectionString, Rtk(o => o.ApiToken = "wrong-token")).RunAsync(null, Ct), ProbeNames.Rtk);

        Assert.Equal(HealthStatus.Unhealthy, rtk.Status);
        Assert.StartsWith("RealtimeKit answered 401", rtk.Error);
        Assert.DoesNotContain("wrong-token", rtk.Error);
    }

    [Fact]
    public async Task WithoutRtkCredentialsTheProbeSaysSoInsteadOfFailing()
    {
        var results = await Probes(azurite.ConnectionString, Rtk(o => { o.ApiToken = ""; o.AccountId = ""; })).RunAsync(null, Ct);

        var rtk = Probe(results, ProbeNames.Rtk);
        Assert.Equal(HealthStatus.NotConfigured, rtk.Status);
        Assert.Contains("not configured", rtk.Error);
        Assert.Equal(HealthStatus.Healthy, Probe(results, ProbeNames.Table).Status);
    }

    /// <summary>Slow storage: every request waits before it is sent (it still reaches Azurite).</summary>
    private sealed class SlowPolicy(TimeSpan delay) : HttpPipelinePolicy
    {
        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            await Task.Delay(delay, message.CancellationToken);
            await ProcessNextAsync(message, pipeline);
        }

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            Thread.Sleep(delay);
            ProcessNext(message, pipeline);
        }
    }
}
