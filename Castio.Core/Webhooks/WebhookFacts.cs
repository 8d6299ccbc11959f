using System.Text;
using Castio.Core.Common;

namespace Castio.Core.Webhooks;

/// <summary>What identifies an event's fact, and what may be shown of a payload.</summary>
public static class WebhookFacts
{
    public const string MeetingStarted = "meeting.started";
    public const string MeetingEnded = "meeting.ended";
    public const string ParticipantJoined = "meeting.participantJoined";
    public const string ParticipantLeft = "meeting.participantLeft";
    public const string ChatSynced = "meeting.chatSynced";
    public const string RecordingStatusUpdate = "recording.statusUpdate";
    public const string LivestreamStatusUpdate = "livestreaming.statusUpdate";
    public const string Transcript = "meeting.transcript";
    public const string Summary = "meeting.summary";

    /// <summary>The RTK meeting an event belongs to, wherever it carries it.</summary>
    public static string? RtkMeetingId(RtkWebhookPayload p) => p.Meeting?.Id ?? p.MeetingId ?? p.Recording?.MeetingId;

    /// <summary>
    /// The business key of the fact an event reports: RTK's <c>rtk-uuid</c> may change on a retry, the fact does not.
    /// Livestream events carry no time or sequence, so their body is part of the key.
    /// </summary>
    public static string BusinessKey(RtkWebhookPayload p, ReadOnlySpan<byte> body)
    {
        var session = p.EffectiveSessionId ?? "-";
        return p.Event switch
        {
            MeetingStarted or MeetingEnded or ChatSynced or Transcript or Summary => $"{p.Event}|{session}",
            ParticipantJoined or ParticipantLeft => $"{p.Event}|{session}|{p.Participant?.PeerId ?? "-"}",
            RecordingStatusUpdate => $"{p.Event}|{p.Recording?.Id ?? p.Recording?.RecordingId ?? "-"}|{p.Recording?.Status ?? "-"}",
            LivestreamStatusUpdate => $"{p.Event}|{p.StreamId ?? "-"}|{p.Status ?? "-"}|{TableKeys.Hash(Encoding.UTF8.GetString(body))[..16]}",
            _ => $"{p.Event}|{TableKeys.Hash(Encoding.UTF8.GetString(body))}",
        };
    }

    /// <summary>A short description with ids and statuses only: no names, links or stream keys.</summary>
    public static string Describe(RtkWebhookPayload p)
    {
        var parts = new List<string> { p.Event };
        void Add(string name, string? value)
        {
            if (!string.IsNullOrEmpty(value)) parts.Add($"{name}={(value.Length > 80 ? value[..80] : value)}");
        }
        Add("meeting", RtkMeetingId(p));
        Add("session", p.EffectiveSessionId);
        Add("peer", p.Participant?.PeerId);
        Add("recording", p.Recording?.Id ?? p.Recording?.RecordingId);
        Add("status", p.Recording?.Status ?? p.Status);
        Add("stream", p.StreamId);
        Add("reason", p.Reason);
        if (p.TranscriptDownloadUrl is not null || p.SummaryDownloadUrl is not null || p.ChatDownloadUrl is not null || p.Recording?.DownloadUrl is not null)
            parts.Add("link=redacted");
        return string.Join(' ', parts);
    }
}
