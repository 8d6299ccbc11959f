using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Castio.Core.Webhooks;
using Castio.Tests.Infrastructure;

namespace Castio.Tests.Webhooks;

/// <summary>Finding a delivery by its id (replay, diagnostics): a narrow range of its day's partition, never a scan of it.</summary>
public class WebhookLedgerFindTests(AzuriteFixture azurite)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ADeliveryIsFoundByItsIdAmongOthersOfTheSameMillisecondThroughARowKeyRange()
    {
        var filters = new FilterLog();
        var options = new TableClientOptions();
        options.AddPolicy(filters, HttpPipelinePosition.PerCall);
        var ledger = new WebhookLedger(new TableServiceClient(azurite.ConnectionString, options), "f" + Guid.NewGuid().ToString("N")[..10]);
        var orgId = Guid.CreateVersion7();
        var t0 = TestClock.Start.AddTicks(5_000); // half a millisecond in: its neighbours fall on both sides of a millisecond edge
        var deliveries = new[] { -6_000, -4_000, 0, 3_000, 4_999, 5_000, 12_000 }.Select(ticks => Delivery(orgId, t0.AddTicks(ticks))).ToList();
        foreach (var d in deliveries) await ledger.AddAsync(d, Ct);

        var found = new List<Guid?>();
        foreach (var d in deliveries) found.Add((await ledger.FindAsync(orgId, d.Id, Ct))?.Id);
        var missing = await ledger.FindAsync(orgId, Guid.CreateVersion7(t0), Ct);
        var otherOrg = await ledger.FindAsync(Guid.CreateVersion7(), deliveries[2].Id, Ct);

        Assert.Equal(deliveries.Select(d => (Guid?)d.Id), found);
        Assert.Null(missing);
        Assert.Null(otherOrg);
        Assert.NotEmpty(filters.Seen);
        Assert.All(filters.Seen, f => Assert.Contains("RowKey ge", f, StringComparison.Ordinal));
        Assert.All(filters.Seen, f => Assert.Contains("RowKey le", f, StringComparison.Ordinal));
    }

    private static WebhookDeliveryEntity Delivery(Guid orgId, DateTimeOffset at)
    {
        var id = Guid.CreateVersion7(at);
        return new WebhookDeliveryEntity
        {
            PartitionKey = WebhookLedger.PartitionFor(orgId, at), RowKey = WebhookLedger.RowFor(id, at), Id = id, OrgId = orgId,
            Event = "meeting.started", RtkUuid = Guid.NewGuid().ToString(), ReceivedAt = at, Status = WebhookDeliveryStatus.Processed,
        };
    }

    /// <summary>The <c>$filter</c> of every query the ledger sends.</summary>
    private sealed class FilterLog : HttpPipelineSynchronousPolicy
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _seen = new();

        public IReadOnlyList<string> Seen => [.. _seen];

        public override void OnSendingRequest(HttpMessage message)
        {
            var query = Uri.UnescapeDataString(message.Request.Uri.Query);
            if (query.Contains("$filter", StringComparison.Ordinal)) _seen.Enqueue(query);
        }
    }
}
