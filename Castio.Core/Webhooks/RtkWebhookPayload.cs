using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Castio.Core.Webhooks;

// Webhook bodies are camelCase, unlike the REST API, and discriminated by "event" (docs/realtimekit.md, Payloads).
// Times stay strings here: RTK has sent both ISO and "2023-04-14 04:46:08.306221Z"; use ParseTime.

public sealed record RtkWebhookPayload
{
    public string Event { get; init; } = "";
    public RtkWebhookMeeting? Meeting { get; init; }
    public RtkWebhookParticipant? Participant { get; init; }
    public RtkWebhookRecording? Recording { get; init; }
    /// <summary><c>meeting.ended</c>: HOST_ENDED_MEETING or ALL_PARTICIPANTS_LEFT.</summary>
    public string? Reason { get; init; }

    // meeting.chatSynced is flat.
    public string? SessionId { get; init; }
    public string? MeetingId { get; init; }
    public string? Title { get; init; }
    public string? ChatDownloadUrl { get; init; }
    public string? ChatDownloadUrlExpiry { get; init; }
    public string? CreatedAt { get; init; }
    public string? StartedAt { get; init; }
    public string? EndedAt { get; init; }
    public RtkWebhookOrganizer? OrganizedBy { get; init; }

    public string? TranscriptDownloadUrl { get; init; }
    public string? TranscriptDownloadUrlExpiry { get; init; }
    public string? SummaryDownloadUrl { get; init; }
    public string? SummaryDownloadUrlExpiry { get; init; }

    // livestreaming.statusUpdate
    public string? StreamId { get; init; }
    public string? Status { get; init; }
    public bool? ManualIngest { get; init; }
    public string? PlaybackUrl { get; init; }
    public string? IngestServer { get; init; }
    public string? StreamKey { get; init; }

    /// <summary>The session this event belongs to, wherever the event carries it.</summary>
    public string? EffectiveSessionId => Meeting?.SessionId ?? SessionId ?? Recording?.RoomUuid;

    /// <summary>Parses a verified body; throws <see cref="JsonException"/> when it is not a webhook payload.</summary>
    public static RtkWebhookPayload Parse(ReadOnlySpan<byte> body)
    {
        var payload = JsonSerializer.Deserialize(body, RtkWebhookJsonContext.Default.RtkWebhookPayload);
        return payload is { Event.Length: > 0 } ? payload : throw new JsonException("The webhook body has no event.");
    }

    /// <summary>Reads ISO-8601 and the space-separated form Dyte examples used; null when absent or unreadable.</summary>
    public static DateTimeOffset? ParseTime(string? value) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t) ? t : null;

    public override string ToString() => $"RtkWebhookPayload {{ Event = {Event} }}"; // stream keys and links stay out of logs
}

public sealed record RtkWebhookMeeting
{
    public string? Id { get; init; }
    public string? SessionId { get; init; }
    public string? Title { get; init; }
    public string? RoomName { get; init; }
    public string? Status { get; init; }
    public string? CreatedAt { get; init; }
    public string? StartedAt { get; init; }
    public string? EndedAt { get; init; }
    public RtkWebhookOrganizer? OrganizedBy { get; init; }
}

public sealed record RtkWebhookOrganizer(string? Id, string? Name);

public sealed record RtkWebhookParticipant
{
    public string? PeerId { get; init; }
    public string? UserDisplayName { get; init; }
    public string? CustomParticipantId { get; init; }
    public string? ClientSpecificId { get; init; }
    public string? JoinedAt { get; init; }
    public string? LeftAt { get; init; }
}

public sealed record RtkWebhookRecording
{
    public string? Id { get; init; }
    public string? RecordingId { get; init; }
    public string? Status { get; init; }
    public string? MeetingId { get; init; }
    public string? OrganizationId { get; init; }
    /// <summary>The session id; recording events carry no <c>sessionId</c>.</summary>
    [JsonPropertyName("roomUUID")] public string? RoomUuid { get; init; }
    public string? StartedTime { get; init; }
    public string? StoppedTime { get; init; }
    public string? OutputFileName { get; init; }
    /// <summary>A number in Dyte examples, a string in Cloudflare's: both read.</summary>
    [JsonNumberHandling(JsonNumberHandling.AllowReadingFromString)] public long? FileSize { get; init; }
    [JsonNumberHandling(JsonNumberHandling.AllowReadingFromString)] public double? RecordingDuration { get; init; }
    public string? DownloadUrl { get; init; }
    public string? AudioDownloadUrl { get; init; }
    public string? DownloadUrlExpiry { get; init; }
    /// <summary>Opaque; RTK sends a Python-dict-looking string.</summary>
    public JsonElement? StopReason { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(RtkWebhookPayload))]
public sealed partial class RtkWebhookJsonContext : JsonSerializerContext;
