using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Castio.Core.Diagnostics;
using Castio.Core.Retention;
using Castio.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Castio.Tests.Retention;

/// <summary>
/// The daily retention run over what features file: snapshots, webhook deliveries, artefacts.
/// The stores are built here on Azurite with a manual clock, so no timer of a running app sweeps or writes between the steps.
/// </summary>
public class RetentionTests(AzuriteFixture azurite)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed class World
    {
        public World(AzuriteFixture azurite)
        {
            NamePrefix = "t" + Guid.NewGuid().ToString("N")[..10];
            Tables = azurite.Tables;
            Blobs = azurite.Blobs;
            Expiries = new ExpiryStore(Tables, NamePrefix, Blobs);
            Policy = new RetentionPolicy(Tables, NamePrefix);
            Snapshots = new HealthSnapshotStore(Tables, Expiries, NamePrefix);
            Sweeper = new ExpirySweeper(Expiries, Clock, NullLogger<ExpirySweeper>.Instance);
        }

        public FakeTimeProvider Clock { get; } = new(TestClock.Start);
        public string NamePrefix { get; }
        public TableServiceClient Tables { get; }
        public BlobServiceClient Blobs { get; }
        public ExpiryStore Expiries { get; }
        public RetentionPolicy Policy { get; }
        public HealthSnapshotStore Snapshots { get; }
        public ExpirySweeper Sweeper { get; }

        public string Name(string baseName) => NamePrefix + baseName;
    }

    private static async Task<int> CountAsync(TableClient table, string? filter = null)
    {
        var n = 0;
        try
        {
            await foreach (var _ in table.QueryAsync<TableEntity>(filter, cancellationToken: Ct))
                n++;
        }
        catch (Azure.RequestFailedException e) when (e.Status == 404)
        {
        }

        return n;
    }

    private static HealthSnapshot Snapshot(DateTimeOffset at) =>
        new(Guid.CreateVersion7(at), "org", CheckTypes.Manual, HealthStatus.Healthy, at, [], [], null, null);

    /// <summary>What a ledger row looks like to retention: a row with ExpiresAt, filed under its expiry first.</summary>
    private static async Task AddDeliveryAsync(World app, ExpiryStore expiries, Guid orgId, DateTimeOffset receivedAt)
    {
        var table = app.Tables.GetTableClient(app.Name("retentiondeliveries"));
        await table.CreateIfNotExistsAsync(Ct);
        var row = Guid.CreateVersion7(receivedAt).ToString("N");
        var due = receivedAt + RetentionPeriods.WebhookDeliveries;
        await expiries.AddAsync(due, orgId.ToString(), [new ExpiryTarget("retentiondeliveries", orgId.ToString("D"), row)], Ct);
        await table.AddEntityAsync(new TableEntity(orgId.ToString("D"), row) { ["ExpiresAt"] = due }, Ct);
    }

    private static async Task AddArtefactAsync(World app, ExpiryStore expiries, RetentionPolicy policy, Guid orgId, string name)
    {
        var container = app.Blobs.GetBlobContainerClient(app.Name("retentionartefacts"));
        await container.CreateIfNotExistsAsync(cancellationToken: Ct);
        var due = await policy.ArtefactDueAtAsync(orgId, app.Clock.GetUtcNow(), Ct);
        await expiries.AddAsync(due, orgId.ToString(), [ExpiryTarget.Blob("retentionartefacts", name)], Ct);
        await container.UploadBlobAsync(name, BinaryData.FromString("recording bytes"), Ct);
    }

    private static async Task<string[]> BlobsAsync(World app)
    {
        var names = new List<string>();
        await foreach (var blob in app.Blobs.GetBlobContainerClient(app.Name("retentionartefacts")).GetBlobsAsync(cancellationToken: Ct))
            names.Add(blob.Name);
        return [.. names.Order()];
    }

    [Fact]
    public async Task EachRunRemovesExactlyWhatIsDueAndNothingElse()
    {
        var app = new World(azurite);
        var expiries = app.Expiries;
        var policy = app.Policy;
        var snapshots = app.Snapshots;
        var sweeper = app.Sweeper;
        var snapshotTable = app.Tables.GetTableClient(app.Name(HealthSnapshotStore.TableName));
        var deliveries = app.Tables.GetTableClient(app.Name("retentiondeliveries"));
        var orgId = Guid.CreateVersion7();
        var start = app.Clock.GetUtcNow();
        await policy.SetArtefactRetentionDaysAsync(orgId, 10, start, Ct);

        // Day 0: one of everything.
        await snapshots.AddAsync(orgId, Snapshot(start), Ct);
        await snapshots.AddAsync(null, Snapshot(start), Ct);
        await AddDeliveryAsync(app, expiries, orgId, start);
        await AddArtefactAsync(app, expiries, policy, orgId, "a-day0.mp4");
        // Day 5: the same again.
        app.Clock.Advance(TimeSpan.FromDays(5));
        await snapshots.AddAsync(orgId, Snapshot(app.Clock.GetUtcNow()), Ct);
        await AddDeliveryAsync(app, expiries, orgId, app.Clock.GetUtcNow());
        await AddArtefactAsync(app, expiries, policy, orgId, "b-day5.mp4");

        // Day 10 + 2 h: the first artefact (the org keeps artefacts 10 days).
        app.Clock.Advance(TimeSpan.FromDays(5) + TimeSpan.FromHours(2));
        Assert.Equal(1, await sweeper.SweepAsync(Ct));
        Assert.Equal(new[] { "b-day5.mp4" }, await BlobsAsync(app));
        Assert.Equal(3, await CountAsync(snapshotTable));
        Assert.Equal(2, await CountAsync(deliveries));

        // Day 30 + 2 h: the first delivery (30 days).
        app.Clock.Advance(TimeSpan.FromDays(20));
        Assert.Equal(2, await sweeper.SweepAsync(Ct)); // the day-5 artefact (due day 15) and the day-0 delivery
        Assert.Empty(await BlobsAsync(app));
        Assert.Equal(1, await CountAsync(deliveries));
        Assert.Equal(3, await CountAsync(snapshotTable));

        // Day 89 + 22 h: a snapshot is kept for 90 days, not one hour less.
        app.Clock.Advance(TimeSpan.FromDays(59) + TimeSpan.FromHours(20));
        Assert.Equal(1, await sweeper.SweepAsync(Ct)); // the day-5 delivery
        Assert.Equal(3, await CountAsync(snapshotTable));

        // Day 90 + 2 h: both day-0 snapshots; the day-5 one stays.
        app.Clock.Advance(TimeSpan.FromHours(4));
        Assert.Equal(2, await sweeper.SweepAsync(Ct));
        Assert.Equal(1, await CountAsync(snapshotTable));
        Assert.Equal(0, await sweeper.SweepAsync(Ct));
        Assert.Equal(0, await CountAsync(expiries.Expiries, TableClient.CreateQueryFilter($"PartitionKey lt {ExpiryStore.Bucket(app.Clock.GetUtcNow())}")));
    }

    [Fact]
    public async Task ARunInterruptedHalfwayIsFinishedByTheNextAndDeletesNothingLive()
    {
        var app = new World(azurite);
        var snapshots = app.Snapshots;
        var orgId = Guid.CreateVersion7();
        for (var i = 0; i < 30; i++)
            await snapshots.AddAsync(orgId, Snapshot(app.Clock.GetUtcNow().AddSeconds(i)), Ct);
        app.Clock.Advance(TimeSpan.FromDays(45));
        for (var i = 0; i < 10; i++)
            await snapshots.AddAsync(orgId, Snapshot(app.Clock.GetUtcNow().AddSeconds(i)), Ct);
        app.Clock.Advance(TimeSpan.FromDays(46)); // the first 30 are due, the last 10 are not

        // The first run loses its connection after 25 requests: some targets gone, some of their pointers not.
        var interrupted = new CancelAfter(25);
        var options = new TableClientOptions();
        options.Retry.MaxRetries = 0;
        options.AddPolicy(interrupted, HttpPipelinePosition.PerCall);
        var store = new ExpiryStore(new TableServiceClient(azurite.ConnectionString, options), app.NamePrefix);
        await Assert.ThrowsAnyAsync<Exception>(() => new ExpirySweeper(store, app.Clock, NullLogger<ExpirySweeper>.Instance).SweepAsync(Ct));
        var table = app.Tables.GetTableClient(app.Name(HealthSnapshotStore.TableName));
        // A delete cancelled client-side may still be applied by the server a moment later: count once it settles.
        var left = await CountAsync(table);
        for (int previous = -1; previous != left; )
        {
            previous = left;
            await Task.Delay(200, Ct);
            left = await CountAsync(table);
        }

        Assert.InRange(left, 11, 39);

        var sweeper = app.Sweeper;
        Assert.Equal(left - 10, await sweeper.SweepAsync(Ct));
        Assert.Equal(10, await CountAsync(table));
        Assert.Equal(0, await sweeper.SweepAsync(Ct));
    }

    /// <summary>Fails every request after the first <paramref name="allowed"/>, as a crashed or cancelled run would stop.</summary>
    private sealed class CancelAfter(int allowed) : HttpPipelineSynchronousPolicy
    {
        private int _sent;

        public override void OnSendingRequest(HttpMessage message)
        {
            if (Interlocked.Increment(ref _sent) > allowed)
                throw new OperationCanceledException("interrupted");
        }
    }
}
