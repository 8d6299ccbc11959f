using Azure.Data.Tables;
using Castio.Core.Retention;
using Castio.Core.Webhooks;
using Castio.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Castio.Tests.Webhooks;

/// <summary>The ledger files each org-day partition for the retention sweep: removed 30 days after its last delivery, not before.</summary>
public class WebhookLedgerRetentionTests(AzuriteFixture azurite)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task DeliveriesAreRemovedThirtyDaysAfterTheirDayAndNotBefore()
    {
        var prefix = "t" + Guid.NewGuid().ToString("N")[..10];
        var clock = new FakeTimeProvider(TestClock.Start);
        var expiries = new ExpiryStore(azurite.Tables, prefix, azurite.Blobs);
        var ledger = new WebhookLedger(azurite.Tables, prefix, expiries);
        var sweeper = new ExpirySweeper(expiries, clock, NullLogger<ExpirySweeper>.Instance);
        var orgId = Guid.CreateVersion7();

        var day1 = TestClock.Start;
        var day2 = TestClock.Start.AddDays(1);
        foreach (var at in new[] { day1, day1.AddHours(5), day2 })
        {
            var id = Guid.CreateVersion7(at);
            await ledger.AddAsync(new WebhookDeliveryEntity
            {
                PartitionKey = WebhookLedger.PartitionFor(orgId, at), RowKey = WebhookLedger.RowFor(id, at),
                Id = id, OrgId = orgId, Event = "meeting.started", ReceivedAt = at,
            }, Ct);
        }

        var table = azurite.Tables.GetTableClient(prefix + WebhookLedger.DeliveriesTable);
        async Task<int> CountAsync(DateTimeOffset day) =>
            await table.QueryAsync<TableEntity>(e => e.PartitionKey == WebhookLedger.PartitionFor(orgId, day), cancellationToken: Ct).CountAsync(Ct);

        // 30 days after day 1's last possible delivery is the start of day 1 + 31 days.
        clock.SetUtcNow(new DateTimeOffset(day1.Date.AddDays(31).AddMinutes(-1), TimeSpan.Zero));
        await sweeper.SweepAsync(Ct);
        Assert.Equal(2, await CountAsync(day1));

        clock.SetUtcNow(new DateTimeOffset(day1.Date.AddDays(31).AddHours(1), TimeSpan.Zero));
        await sweeper.SweepAsync(Ct);
        Assert.Equal(0, await CountAsync(day1));
        Assert.Equal(1, await CountAsync(day2));
    }
}
