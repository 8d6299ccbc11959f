using Castio.Functions.Hosting;
using Castio.Functions.Probes;
using Castio.Tests.Infrastructure;

namespace Castio.Tests.Hosting;

/// <summary>Standalone mode: the in-process timer scheduler, against Azurite, with a manual clock.</summary>
public class StandaloneTriggerTests(AzuriteFixture azurite)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static async Task<ProbeEntity?> ProbeRowAsync(CastioApplication app, string partitionKey, string rowKey)
    {
        var table = app.Tables.GetTableClient(app.Name(ProbeEntity.TableName));
        await table.CreateIfNotExistsAsync(TestContext.Current.CancellationToken);
        var row = await table.GetEntityIfExistsAsync<ProbeEntity>(partitionKey, rowKey, cancellationToken: TestContext.Current.CancellationToken);
        return row.HasValue ? row.Value : null;
    }

    [Fact]
    public async Task HeartbeatRunsWhenTheClockReachesItsSchedule()
    {
        await using var app = new CastioApplication(azurite);
        _ = app.BaseAddress; // start the host
        var ct = TestContext.Current.CancellationToken;
        var started = app.Clock.GetUtcNow();
        Assert.Null(await ProbeRowAsync(app, Heartbeat.PartitionKey, Heartbeat.RowKey));

        // Move the clock five minutes at a time, whenever something is parked on it, until the heartbeat has run.
        var row = await Eventually.GetAsync(async () =>
        {
            if (await ProbeRowAsync(app, Heartbeat.PartitionKey, Heartbeat.RowKey) is { } written)
                return written;
            if (app.Clock.PendingTimers > 0)
                app.Clock.Advance(TimeSpan.FromMinutes(5));
            return null;
        }, Patience, ct);

        // It ran on its schedule ("0 */5 * * * *"), at the clock's time, not the machine's.
        Assert.True(row.RanAt > started);
        Assert.Equal(0, row.RanAt.Minute % 5);
        Assert.Equal(0, row.RanAt.Second);
        Assert.True(row.RanAt <= app.Clock.GetUtcNow());
        Assert.False(row.IsPastDue);
    }
}
