using System.Text;
using Azure;
using Castio.Core.Storage;
using Castio.Tests.Infrastructure;

namespace Castio.Tests.Storage;

public sealed class QueueClientTests(AzuriteFixture azurite)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<QueueClient> NewQueueAsync(QueueMessageEncoding encoding = QueueMessageEncoding.Base64, string? name = null)
    {
        var queue = azurite.CreateAccount(new StorageClientOptions { MessageEncoding = encoding }).Queues.GetQueueClient(name ?? AzuriteFixture.UniqueName("q"));
        await queue.CreateIfNotExistsAsync(Ct);
        return queue;
    }

    [Fact]
    public async Task SentMessageIsReceivedDecodedAndCanBeDeleted()
    {
        var queue = await NewQueueAsync();
        await queue.CreateIfNotExistsAsync(Ct);
        const string text = "{\"kind\":\"ünïcödé <&> 🎉\"}";
        var receipt = (await queue.SendMessageAsync(text, cancellationToken: Ct)).Value;
        Assert.False(string.IsNullOrEmpty(receipt.MessageId));
        Assert.True(receipt.ExpirationTime > receipt.InsertionTime);

        var message = Assert.Single((await queue.ReceiveMessagesAsync(cancellationToken: Ct)).Value);
        Assert.Equal(receipt.MessageId, message.MessageId);
        Assert.Equal(text, message.MessageText);
        Assert.False(message.DecodingFailed);
        Assert.Equal(1, message.DequeueCount);
        Assert.NotNull(message.NextVisibleOn);

        await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, Ct);
        Assert.Empty((await queue.PeekMessagesAsync(cancellationToken: Ct)).Value);
    }

    [Fact]
    public async Task DefaultEncodingPutsBase64OfUtf8OnTheWire()
    {
        var queue = await NewQueueAsync();
        const string text = "hello é <world>";
        await queue.SendMessageAsync(text, cancellationToken: Ct);

        var raw = await NewQueueAsync(QueueMessageEncoding.None, queue.Name);
        var peeked = Assert.Single((await raw.PeekMessagesAsync(cancellationToken: Ct)).Value);
        Assert.Equal(Convert.ToBase64String(Encoding.UTF8.GetBytes(text)), peeked.MessageText);
    }

    [Fact]
    public async Task RawEncodingEscapesXmlAndRoundTrips()
    {
        var queue = await NewQueueAsync(QueueMessageEncoding.None);
        const string text = "<a href=\"x\">Tom & 'Jerry'</a>";
        await queue.SendMessageAsync(text, cancellationToken: Ct);
        Assert.Equal(text, Assert.Single((await queue.ReceiveMessagesAsync(cancellationToken: Ct)).Value).MessageText);
    }

    [Fact]
    public async Task TextThatIsNotBase64IsFlaggedInsteadOfThrowing()
    {
        var raw = await NewQueueAsync(QueueMessageEncoding.None);
        await raw.SendMessageAsync("not base64 !", cancellationToken: Ct);
        var decoding = await NewQueueAsync(QueueMessageEncoding.Base64, raw.Name);
        var message = Assert.Single((await decoding.ReceiveMessagesAsync(cancellationToken: Ct)).Value);
        Assert.True(message.DecodingFailed);
        Assert.Equal("not base64 !", message.MessageText);
    }

    [Fact]
    public async Task DelayedMessageIsInvisibleUntilItsVisibilityTimeoutPasses()
    {
        var queue = await NewQueueAsync();
        await queue.SendMessageAsync("later", visibilityTimeout: TimeSpan.FromSeconds(2), cancellationToken: Ct);
        Assert.Empty((await queue.ReceiveMessagesAsync(cancellationToken: Ct)).Value);
        Assert.Empty((await queue.PeekMessagesAsync(cancellationToken: Ct)).Value);

        var message = await ReceiveWithinAsync(queue, TimeSpan.FromSeconds(10));
        Assert.Equal("later", message.MessageText);
    }

    [Fact]
    public async Task ReceivedMessageReappearsAfterItsLeaseWithAHigherDequeueCount()
    {
        var queue = await NewQueueAsync();
        await queue.SendMessageAsync("work", cancellationToken: Ct);
        var first = Assert.Single((await queue.ReceiveMessagesAsync(1, TimeSpan.FromSeconds(1), Ct)).Value);
        Assert.Equal(1, first.DequeueCount);
        Assert.Empty((await queue.ReceiveMessagesAsync(cancellationToken: Ct)).Value);

        var second = await ReceiveWithinAsync(queue, TimeSpan.FromSeconds(10));
        Assert.Equal(first.MessageId, second.MessageId);
        Assert.Equal(2, second.DequeueCount);
        Assert.NotEqual(first.PopReceipt, second.PopReceipt);
    }

    [Fact]
    public async Task PeekDoesNotLeaseOrCount()
    {
        var queue = await NewQueueAsync();
        await queue.SendMessageAsync("peek", cancellationToken: Ct);
        var peeked = Assert.Single((await queue.PeekMessagesAsync(cancellationToken: Ct)).Value);
        Assert.Equal(0, peeked.DequeueCount);
        Assert.Equal("peek", peeked.MessageText);
        var received = Assert.Single((await queue.ReceiveMessagesAsync(cancellationToken: Ct)).Value);
        Assert.Equal(1, received.DequeueCount);
    }

    [Fact]
    public async Task ReceiveReturnsABatch()
    {
        var queue = await NewQueueAsync();
        for (var i = 0; i < 5; i++) await queue.SendMessageAsync($"m{i}", cancellationToken: Ct);
        var batch = (await queue.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(1), Ct)).Value;
        Assert.Equal(5, batch.Length);
        Assert.Equal(["m0", "m1", "m2", "m3", "m4"], batch.Select(m => m.MessageText).Order());
    }

    [Fact]
    public async Task UpdateRotatesThePopReceiptAndChangesVisibilityAndText()
    {
        var queue = await NewQueueAsync();
        await queue.SendMessageAsync("v1", cancellationToken: Ct);
        var message = Assert.Single((await queue.ReceiveMessagesAsync(1, TimeSpan.FromMinutes(5), Ct)).Value);

        var extended = (await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: TimeSpan.FromMinutes(10), cancellationToken: Ct)).Value;
        Assert.NotEqual(message.PopReceipt, extended.PopReceipt);
        Assert.True(extended.NextVisibleOn > DateTimeOffset.UtcNow.AddMinutes(8));

        var stale = await Assert.ThrowsAsync<RequestFailedException>(() => queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, Ct));
        Assert.Equal(400, stale.Status);
        Assert.Equal("PopReceiptMismatch", stale.ErrorCode);

        var released = (await queue.UpdateMessageAsync(message.MessageId, extended.PopReceipt, "v2", TimeSpan.Zero, Ct)).Value;
        var again = Assert.Single((await queue.ReceiveMessagesAsync(cancellationToken: Ct)).Value);
        Assert.Equal("v2", again.MessageText);
        Assert.Equal(2, again.DequeueCount);
        Assert.NotEqual(released.PopReceipt, again.PopReceipt);
        await queue.DeleteMessageAsync(again.MessageId, again.PopReceipt, Ct);
        Assert.Empty((await queue.PeekMessagesAsync(cancellationToken: Ct)).Value);
    }

    [Fact]
    public async Task MissingQueueAnswers404AndDeleteIfExistsIsQuiet()
    {
        var queue = azurite.CreateAccount().Queues.GetQueueClient(AzuriteFixture.UniqueName("missing"));
        await queue.DeleteIfExistsAsync(Ct);
        var error = await Assert.ThrowsAsync<RequestFailedException>(() => queue.SendMessageAsync("x", cancellationToken: Ct));
        Assert.Equal(404, error.Status);
        Assert.Equal("QueueNotFound", error.ErrorCode);

        await queue.CreateIfNotExistsAsync(Ct);
        await queue.SendMessageAsync("x", cancellationToken: Ct);
        await queue.DeleteIfExistsAsync(Ct);
        await Assert.ThrowsAsync<RequestFailedException>(() => queue.PeekMessagesAsync(cancellationToken: Ct));
    }

    [Fact]
    public async Task OversizedMessagesAreRejectedBeforeSending()
    {
        var queue = await NewQueueAsync();
        await Assert.ThrowsAsync<ArgumentException>(() => queue.SendMessageAsync(new string('a', 60 * 1024), cancellationToken: Ct));
    }

    private static async Task<QueueMessage> ReceiveWithinAsync(QueueClient queue, TimeSpan limit)
    {
        var deadline = DateTimeOffset.UtcNow + limit;
        while (DateTimeOffset.UtcNow < deadline)
        {
            var messages = (await queue.ReceiveMessagesAsync(cancellationToken: Ct)).Value;
            if (messages.Length > 0) return Assert.Single(messages);
            await Task.Delay(200, Ct);
        }
        throw new TimeoutException("No message became visible in time.");
    }
}
