using Castio.Core.Webhooks;
using Castio.Tests.Infrastructure;

namespace Castio.Tests.Webhooks;

/// <summary>Who owns a fact when two deliveries carry it: the rules that keep a fact applied once and never lost.</summary>
public class WebhookLedgerClaimTests(AzuriteFixture azurite)
{
    private const string Key = "meeting.participantJoined|session-1|peer-1";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly Guid _orgId = Guid.CreateVersion7();
    private readonly WebhookLedger _ledger = new(azurite.Tables, "c" + Guid.NewGuid().ToString("N")[..10]);

    [Theory]
    [InlineData(WebhookDeliveryStatus.Processed, 0, true)]
    [InlineData(WebhookDeliveryStatus.Received, 2, true)]     // still being applied: its own retry covers a failure
    [InlineData(WebhookDeliveryStatus.Received, 31, false)]   // died mid-way long ago (RTK has retried): taken over
    [InlineData(WebhookDeliveryStatus.Failed, 2, false)]      // answered 5xx: the retry applies the fact
    public async Task ASecondDeliveryOfAFactIsADuplicateOnlyWhileTheFirstKeepsIt(string ownerStatus, int secondsLater, bool duplicate)
    {
        var first = await RecordAsync(TestClock.Start, ownerStatus);
        var at = TestClock.Start.AddSeconds(secondsLater);
        var second = Delivery(at);
        await _ledger.AddAsync(second, Ct);

        var owner = await _ledger.ClaimAsync(Key, second, at, Ct);

        Assert.Equal(duplicate ? first.Id : null, owner?.Id);
        // The claim now names whoever owns the fact: a third delivery is a duplicate of it while it is in flight.
        var third = Delivery(at.AddSeconds(1));
        await _ledger.AddAsync(third, Ct);
        Assert.Equal(duplicate ? first.Id : second.Id, (await _ledger.ClaimAsync(Key, third, at.AddSeconds(1), Ct))?.Id);
    }

    [Theory]
    [InlineData(10, true)]   // ten minutes after midnight: yesterday's claim still counts
    [InlineData(70, false)]  // past the look-back: a new day's fact
    public async Task ARetryJustAfterMidnightIsRecognisedAgainstYesterdaysClaim(int minutesAfterMidnight, bool duplicate)
    {
        var midnight = new DateTimeOffset(TestClock.Start.UtcDateTime.Date.AddDays(1), TimeSpan.Zero);
        var first = await RecordAsync(midnight.AddMinutes(-5), WebhookDeliveryStatus.Processed);
        var at = midnight.AddMinutes(minutesAfterMidnight);
        var retry = Delivery(at);
        await _ledger.AddAsync(retry, Ct);

        Assert.Equal(duplicate ? first.Id : null, (await _ledger.ClaimAsync(Key, retry, at, Ct))?.Id);
    }

    private async Task<WebhookDeliveryEntity> RecordAsync(DateTimeOffset at, string status)
    {
        var delivery = Delivery(at);
        await _ledger.AddAsync(delivery, Ct);
        Assert.Null(await _ledger.ClaimAsync(Key, delivery, at, Ct));
        if (status != WebhookDeliveryStatus.Received)
        {
            delivery.Status = status;
            delivery.ProcessedAt = at;
            await _ledger.SetOutcomeAsync(delivery, Ct);
        }

        return delivery;
    }

    private WebhookDeliveryEntity Delivery(DateTimeOffset at)
    {
        var id = Guid.CreateVersion7(at);
        return new WebhookDeliveryEntity
        {
            PartitionKey = WebhookLedger.PartitionFor(_orgId, at), RowKey = WebhookLedger.RowFor(id, at), Id = id, OrgId = _orgId,
            Event = "meeting.participantJoined", RtkUuid = Guid.NewGuid().ToString(), BusinessKey = Key, ReceivedAt = at,
        };
    }
}
