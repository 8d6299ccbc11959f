using Castio.LocalHost;
using Castio.Tests.Infrastructure;

namespace Castio.Tests.Hosting;

/// <summary>The dev default: standalone on UseDevelopmentStorage=true starts Azurite on its well-known ports when they are free.</summary>
public class LocalAzuriteTests(AzuriteFixture azurite)
{
    private static readonly int[] WellKnownPorts = [10000, 10001, 10002];

    [Fact]
    public async Task DevelopmentStorageStartsAzuriteWhenNothingListensAndStopsItOnExit()
    {
        var ct = TestContext.Current.CancellationToken;
        var listeningBefore = WellKnownPorts.Count(AzuriteProcess.IsListening);
        await using (var app = new CastioApplication(azurite).WithSetting("AzureWebJobsStorage", "UseDevelopmentStorage=true"))
        {
            using var client = app.CreateHttpClient();
            (await client.GetAsync("/api/ping", ct)).EnsureSuccessStatusCode();
            if (listeningBefore == WellKnownPorts.Length)
            {
                // A developer's own Azurite is running: it is used, not replaced.
                Assert.Contains(app.Logs, l => l.Contains("Azurite already listening"));
                return;
            }
            if (listeningBefore > 0)
            {
                Assert.Contains(app.Logs, l => l.Contains("not starting Azurite"));
                return;
            }
            Assert.Contains(app.Logs, l => l.Contains("STARTED Azurite"));
            Assert.All(WellKnownPorts, p => Assert.True(AzuriteProcess.IsListening(p), $"port {p}"));
            // The app's storage clients talk to it.
            var queue = app.Queues.GetQueueClient(app.Name("devstorage"));
            await queue.CreateIfNotExistsAsync(cancellationToken: ct);
            await queue.DeleteIfExistsAsync(ct);
        }
        // The process tree is killed on stop; the sockets close a moment later.
        await Eventually.GetAsync(() => Task.FromResult(WellKnownPorts.Any(AzuriteProcess.IsListening) ? null : WellKnownPorts), TimeSpan.FromSeconds(15), ct);
    }
}
