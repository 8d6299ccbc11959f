using System.ComponentModel.DataAnnotations;

namespace Castio.Core.PostMeeting;

/// <summary>Deadlines of the post-meeting orchestration (setting section <c>PostMeeting</c>).</summary>
public sealed class PostMeetingOptions
{
    public const string SectionName = "PostMeeting";

    /// <summary>When the recovery timer looks at a session again if its orchestration has not finished it (covers a lost start or a restarted host).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan RecoveryDelay { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>After a session ends: how long to wait for the chat and transcript webhooks before asking RTK over REST.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan ArtefactGrace { get; set; } = TimeSpan.FromMinutes(20);

    /// <summary>A transcript with no summary this long triggers <c>POST /sessions/{id}/summary</c>; as long again, then the summary is asked for once.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan SummaryGrace { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>A recording not UPLOADED/ERRORED this long after the session ended is polled over REST, at this interval.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan RecordingStallAfter { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Polls of a stalled recording before the record says it stalled.</summary>
    public const int MaxRecordingPolls = 6;
}
