using System.Net;
using System.Net.Http.Json;
using Castio.Core.Storage;
using Castio.Functions.Hosting;
using Castio.Functions.Probes;
using Castio.Tests.Infrastructure;

namespace Castio.Tests.Hosting;

/// <summary>Standalone mode: the in-process scheduler and queue pollers, against Azurite, with a manual clock.</summary>
public class StandaloneTriggerTests(AzuriteFixture azurite)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static async Task<ProbeEntity?> ProbeRowAsync(CastioApplication app, string partitionKey, string rowKey)
    {
        var table = app.Storage.Tables.GetTableClient(app.Name(ProbeEntity.TableName));
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

    [Fact]
    public async Task QueuedMessageIsConsumedAndDeleted()
    {
        await using var app = new CastioApplication(azurite);
        _ = app.BaseAddress;
        var ct = TestContext.Current.CancellationToken;
        var queue = app.Storage.Queues.GetQueueClient(app.Name(EchoConsumer.QueueName));
        await queue.CreateIfNotExistsAsync(ct);

        var sent = await queue.SendMessageAsync("hello standalone", cancellationToken: ct);

        var row = await Eventually.GetAsync(() => ProbeRowAsync(app, EchoConsumer.PartitionKey, sent.Value.MessageId), Patience, ct);
        Assert.Equal("hello standalone", row.Text);
        Assert.Equal(1, row.DequeueCount);
        await Eventually.GetAsync(async () => (await queue.PeekMessagesAsync(1, ct)).Value.Length == 0 ? queue : null, Patience, ct);
    }

    [Fact]
    public async Task MessageThatKeepsFailingMovesToThePoisonQueueAfterFiveAttempts()
    {
        await using var app = new CastioApplication(azurite);
        _ = app.BaseAddress;
        var ct = TestContext.Current.CancellationToken;
        var queue = app.Storage.Queues.GetQueueClient(app.Name(EchoConsumer.QueueName));
        var poison = app.Storage.Queues.GetQueueClient(app.Name(EchoConsumer.QueueName) + QueuePoller.PoisonSuffix);
        await queue.CreateIfNotExistsAsync(ct);
        await poison.CreateIfNotExistsAsync(ct);

        var sent = await queue.SendMessageAsync(EchoConsumer.PoisonPayload, cancellationToken: ct);

        var poisoned = await Eventually.GetAsync(async () => (await poison.PeekMessagesAsync(1, ct)).Value.FirstOrDefault(), Patience, ct);
        Assert.Equal(EchoConsumer.PoisonPayload, poisoned.MessageText);
        Assert.Empty((await queue.PeekMessagesAsync(1, ct)).Value);
        Assert.Equal(5, app.Logs.Count(l => l.Contains("Function EchoConsumer failed")));
        Assert.Null(await ProbeRowAsync(app, EchoConsumer.PartitionKey, sent.Value.MessageId));
    }

    [Fact]
    public async Task MessageThatIsNotBase64GoesStraightToPoisonWithoutRunningTheHandler()
    {
        await using var app = new CastioApplication(azurite);
        _ = app.BaseAddress;
        var ct = TestContext.Current.CancellationToken;
        var raw = azurite.CreateAccount(new StorageClientOptions { MessageEncoding = QueueMessageEncoding.None });
        var queue = raw.Queues.GetQueueClient(app.Name(EchoConsumer.QueueName));
        var poison = app.Storage.Queues.GetQueueClient(app.Name(EchoConsumer.QueueName) + QueuePoller.PoisonSuffix);
        await queue.CreateIfNotExistsAsync(ct);
        await poison.CreateIfNotExistsAsync(ct);

        await queue.SendMessageAsync("not base64 at all!", cancellationToken: ct);

        var poisoned = await Eventually.GetAsync(async () => (await poison.PeekMessagesAsync(1, ct)).Value.FirstOrDefault(), Patience, ct);
        Assert.Equal("not base64 at all!", poisoned.MessageText);
        Assert.DoesNotContain(app.Logs, l => l.Contains("Function EchoConsumer"));
        Assert.Contains(app.Logs, l => l.Contains("Message decoding has failed"));
    }

    [Fact]
    public async Task EchoApiQueuesAMessageThatTheConsumerRecords()
    {
        await using var app = new CastioApplication(azurite).WithSetting("Echo:Enabled", "true");
        using var client = app.CreateHttpClient();
        var ct = TestContext.Current.CancellationToken;

        var response = await client.PostAsJsonAsync("/api/echo", new { message = "through the API" }, ct);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = await response.Content.ReadFromJsonAsync<EchoAccepted>(ct);
        Assert.NotNull(accepted);
        var row = await Eventually.GetAsync(() => ProbeRowAsync(app, EchoConsumer.PartitionKey, accepted.MessageId), Patience, ct);
        Assert.Equal("through the API", row.Text);
    }
}
