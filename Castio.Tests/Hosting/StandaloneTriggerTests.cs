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
        // Clock starts at 09:00:00; the scheduler parks until 09:05:00.
        await Eventually.GetAsync(() => Task.FromResult<object?>(app.Clock.PendingTimers > 0 ? app.Clock : null), Patience, ct);
        Assert.Null(await ProbeRowAsync(app, Heartbeat.PartitionKey, Heartbeat.RowKey));

        app.Clock.Advance(TimeSpan.FromMinutes(5));

        var row = await Eventually.GetAsync(() => ProbeRowAsync(app, Heartbeat.PartitionKey, Heartbeat.RowKey), Patience, ct);
        Assert.Equal(new DateTimeOffset(2026, 1, 5, 9, 5, 0, TimeSpan.Zero), row.RanAt);
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
