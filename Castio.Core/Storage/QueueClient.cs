using System.Globalization;
using System.Security;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Azure;
using Azure.Core;

namespace Castio.Core.Storage;

/// <summary>Entry point to the Queue service of one account.</summary>
public class QueueServiceClient
{
    private readonly StoragePipeline _pipeline = null!;

    /// <summary>For mocking only.</summary>
    protected QueueServiceClient() { }

    internal QueueServiceClient(StoragePipeline pipeline) => _pipeline = pipeline;

    /// <summary>A client for one queue (no request is sent).</summary>
    public virtual QueueClient GetQueueClient(string queueName) => new(_pipeline, queueName);
}

/// <summary>Receipt of a sent message.</summary>
public sealed record SendReceipt(string MessageId, string PopReceipt, DateTimeOffset InsertionTime, DateTimeOffset ExpirationTime, DateTimeOffset TimeNextVisible);

/// <summary>Receipt of an update: the new pop receipt replaces the old one.</summary>
public sealed record UpdateReceipt(string PopReceipt, DateTimeOffset NextVisibleOn);

/// <summary>A received (leased) message.</summary>
public sealed record QueueMessage(string MessageId, string PopReceipt, string MessageText, long DequeueCount,
    DateTimeOffset? InsertedOn, DateTimeOffset? ExpiresOn, DateTimeOffset? NextVisibleOn)
{
    /// <summary>
    /// True when Base64 decoding was expected but the text was not valid Base64; <see cref="MessageText"/> then holds
    /// the raw text (the Functions trigger would move such a message to the poison queue).
    /// </summary>
    public bool DecodingFailed { get; init; }
}

/// <summary>A peeked message (not leased, no pop receipt).</summary>
public sealed record PeekedMessage(string MessageId, string MessageText, long DequeueCount, DateTimeOffset? InsertedOn, DateTimeOffset? ExpiresOn)
{
    /// <summary>See <see cref="QueueMessage.DecodingFailed"/>.</summary>
    public bool DecodingFailed { get; init; }
}

/// <summary>Operations on one queue (spec §5).</summary>
public partial class QueueClient
{
    private readonly StoragePipeline _pipeline = null!;

    /// <summary>For mocking only.</summary>
    protected QueueClient() { Name = ""; }

    internal QueueClient(StoragePipeline pipeline, string queueName)
    {
        if (queueName is null || !QueueNameRegex().IsMatch(queueName) || queueName.Contains("--", StringComparison.Ordinal))
        {
            throw new ArgumentException("Queue names are 3-63 lowercase letters, digits or single hyphens, starting with a letter or digit.", nameof(queueName));
        }
        _pipeline = pipeline;
        Name = queueName;
    }

    /// <summary>The queue name.</summary>
    public string Name { get; }

    /// <summary>Creates the queue unless it exists.</summary>
    public virtual async Task CreateIfNotExistsAsync(CancellationToken cancellationToken = default)
    {
        using var message = _pipeline.CreateMessage(RequestMethod.Put, _pipeline.Url(Name));
        await _pipeline.Pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        var response = message.Response;
        if (response.Status is 201 or 204) return;
        var error = StoragePipeline.CreateException(response);
        if (response.Status == 409 && error.ErrorCode == "QueueAlreadyExists") return;
        throw error;
    }

    /// <summary>Deletes the queue if it exists.</summary>
    public virtual async Task DeleteIfExistsAsync(CancellationToken cancellationToken = default)
    {
        using var message = _pipeline.CreateMessage(RequestMethod.Delete, _pipeline.Url(Name));
        await _pipeline.SendAsync(message, cancellationToken, 204, 404).ConfigureAwait(false);
    }

    /// <summary>Sends a message, optionally invisible for <paramref name="visibilityTimeout"/>; <paramref name="timeToLive"/> of -1 s means never expires.</summary>
    public virtual async Task<Response<SendReceipt>> SendMessageAsync(string messageText, TimeSpan? visibilityTimeout = null, TimeSpan? timeToLive = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messageText);
        var query = new List<string>();
        if (visibilityTimeout is { } vt) query.Add("visibilitytimeout=" + Seconds(vt, 0, nameof(visibilityTimeout)));
        if (timeToLive is { } ttl) query.Add("messagettl=" + (ttl == TimeSpan.FromSeconds(-1) ? "-1" : Seconds(ttl, 1, nameof(timeToLive), int.MaxValue)));
        using var message = _pipeline.CreateMessage(RequestMethod.Post, _pipeline.Url(Name + "/messages", query.Count == 0 ? null : string.Join('&', query)));
        SetMessageBody(message, messageText);
        var response = await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        var m = ParseMessages(response).FirstOrDefault() ?? throw new RequestFailedException(response.Status, "Put Message returned no receipt.", null, null);
        var receipt = new SendReceipt(Text(m, "MessageId"), Text(m, "PopReceipt"),
            Date(m, "InsertionTime") ?? default, Date(m, "ExpirationTime") ?? default, Date(m, "TimeNextVisible") ?? default);
        return Response.FromValue(receipt, response);
    }

    /// <summary>Receives (leases) up to 32 messages, hiding them for <paramref name="visibilityTimeout"/> (default 30 s).</summary>
    public virtual async Task<Response<QueueMessage[]>> ReceiveMessagesAsync(int maxMessages = 1, TimeSpan? visibilityTimeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessages, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxMessages, 32);
        var query = "numofmessages=" + maxMessages.ToString(CultureInfo.InvariantCulture);
        if (visibilityTimeout is { } vt) query += "&visibilitytimeout=" + Seconds(vt, 1, nameof(visibilityTimeout));
        using var message = _pipeline.CreateMessage(RequestMethod.Get, _pipeline.Url(Name + "/messages", query));
        var response = await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        var messages = ParseMessages(response).Select(m =>
        {
            var (text, failed) = Decode(Text(m, "MessageText"));
            return new QueueMessage(Text(m, "MessageId"), Text(m, "PopReceipt"), text,
                long.Parse(Text(m, "DequeueCount", "0"), CultureInfo.InvariantCulture),
                Date(m, "InsertionTime"), Date(m, "ExpirationTime"), Date(m, "TimeNextVisible")) { DecodingFailed = failed };
        }).ToArray();
        return Response.FromValue(messages, response);
    }

    /// <summary>Reads up to 32 messages without leasing them or changing their dequeue count.</summary>
    public virtual async Task<Response<PeekedMessage[]>> PeekMessagesAsync(int maxMessages = 1, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessages, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxMessages, 32);
        var query = "numofmessages=" + maxMessages.ToString(CultureInfo.InvariantCulture) + "&peekonly=true";
        using var message = _pipeline.CreateMessage(RequestMethod.Get, _pipeline.Url(Name + "/messages", query));
        var response = await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        var messages = ParseMessages(response).Select(m =>
        {
            var (text, failed) = Decode(Text(m, "MessageText"));
            return new PeekedMessage(Text(m, "MessageId"), text, long.Parse(Text(m, "DequeueCount", "0"), CultureInfo.InvariantCulture),
                Date(m, "InsertionTime"), Date(m, "ExpirationTime")) { DecodingFailed = failed };
        }).ToArray();
        return Response.FromValue(messages, response);
    }

    /// <summary>Deletes a leased message; 404 MessageNotFound, 400 PopReceiptMismatch for a stale receipt.</summary>
    public virtual async Task<Response> DeleteMessageAsync(string messageId, string popReceipt, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(messageId);
        ArgumentException.ThrowIfNullOrEmpty(popReceipt);
        using var message = _pipeline.CreateMessage(RequestMethod.Delete,
            _pipeline.Url($"{Name}/messages/{Uri.EscapeDataString(messageId)}", "popreceipt=" + Uri.EscapeDataString(popReceipt)));
        return await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Changes a leased message's visibility (and optionally its text); use the returned pop receipt afterwards.</summary>
    public virtual async Task<Response<UpdateReceipt>> UpdateMessageAsync(string messageId, string popReceipt, string? messageText = null, TimeSpan visibilityTimeout = default, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(messageId);
        ArgumentException.ThrowIfNullOrEmpty(popReceipt);
        var query = "popreceipt=" + Uri.EscapeDataString(popReceipt) + "&visibilitytimeout=" + Seconds(visibilityTimeout, 0, nameof(visibilityTimeout));
        using var message = _pipeline.CreateMessage(RequestMethod.Put, _pipeline.Url($"{Name}/messages/{Uri.EscapeDataString(messageId)}", query));
        if (messageText is not null) SetMessageBody(message, messageText);
        var response = await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        response.Headers.TryGetValue("x-ms-popreceipt", out var newReceipt);
        response.Headers.TryGetValue("x-ms-time-next-visible", out var nextVisible);
        var receipt = new UpdateReceipt(newReceipt ?? throw new RequestFailedException(response.Status, "Update Message returned no pop receipt.", null, null),
            ParseDate(nextVisible) ?? default);
        return Response.FromValue(receipt, response);
    }

    private void SetMessageBody(HttpMessage message, string text)
    {
        var encoded = _pipeline.Options.MessageEncoding == QueueMessageEncoding.Base64
            ? Convert.ToBase64String(Encoding.UTF8.GetBytes(text))
            : SecurityElement.Escape(text);
        var xml = $"<?xml version=\"1.0\" encoding=\"utf-8\"?><QueueMessage><MessageText>{encoded}</MessageText></QueueMessage>";
        var bytes = Encoding.UTF8.GetBytes(xml);
        if (bytes.Length > 64 * 1024)
        {
            throw new ArgumentException("The message is over the 64 KiB limit once encoded.", nameof(text));
        }
        message.Request.Headers.SetValue("Content-Type", "application/xml");
        message.Request.Content = RequestContent.Create(bytes);
    }

    private (string Text, bool Failed) Decode(string text)
    {
        if (_pipeline.Options.MessageEncoding != QueueMessageEncoding.Base64) return (text, false);
        var buffer = new byte[text.Length];
        return Convert.TryFromBase64String(text, buffer, out var written)
            ? (Encoding.UTF8.GetString(buffer, 0, written), false)
            : (text, true);
    }

    private static IEnumerable<XElement> ParseMessages(Response response)
    {
        var body = response.Content.ToString();
        if (string.IsNullOrWhiteSpace(body)) return [];
        return XDocument.Parse(body).Root?.Elements("QueueMessage") ?? [];
    }

    private static string Text(XElement e, string name, string fallback = "") => e.Element(name)?.Value ?? fallback;

    private static DateTimeOffset? Date(XElement e, string name) => ParseDate(e.Element(name)?.Value);

    internal static DateTimeOffset? ParseDate(string? value) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var d) ? d : null;

    private static string Seconds(TimeSpan value, int min, string name, int max = 7 * 24 * 3600)
    {
        var seconds = (long)Math.Ceiling(value.TotalSeconds);
        if (seconds < min || seconds > max) throw new ArgumentOutOfRangeException(name, value, $"Must be {min}-{max} seconds.");
        return seconds.ToString(CultureInfo.InvariantCulture);
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")]
    private static partial Regex QueueNameRegex();
}
