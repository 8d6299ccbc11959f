using Castio.Core.Rtk;
using Microsoft.Extensions.Logging;

namespace Castio.Core.Meetings;

/// <summary>
/// The RTK side of a meeting: creating RTK meetings under an intent row, so that a failure between
/// "RTK created it" and "Castio stored it" is found and repaired by <see cref="MeetingReconciler"/>;
/// switching them ACTIVE/INACTIVE; ending their live session.
/// </summary>
public sealed partial class MeetingRtk(RtkClient rtk, MeetingStore store, TimeProvider time, ILogger<MeetingRtk> logger)
{
    public const string Active = "ACTIVE";
    public const string Inactive = "INACTIVE";

    /// <summary>RTK's own default; a session lingers this long after the last participant leaves.</summary>
    public const int SessionKeepAliveSeconds = 60;

    // UNVERIFIED: RTK's transcription language enum; en-US is its documented default.
    public const string TranscriptionLanguage = "en-US";

    /// <summary>The RTK meeting body for a Castio meeting.</summary>
    public static RtkMeetingRequest RequestFor(MeetingEntity meeting) => new()
    {
        Title = meeting.Title,
        RecordOnStart = meeting.RecordingAutoStart,
        // Chat is part of the post-meeting record.
        PersistChat = true,
        // A summary needs a transcript.
        SummarizeOnEnd = meeting.TranscriptionEnabled,
        SessionKeepAliveTimeInSecs = SessionKeepAliveSeconds,
        AiConfig = meeting.TranscriptionEnabled
            ? new RtkAiConfig { Transcription = new RtkTranscriptionConfig { Language = TranscriptionLanguage } }
            : null,
    };

    /// <summary>
    /// Creates the RTK meeting of a meeting (or of one of its occurrences) and files it in the RTK index.
    /// An intent row is written first; the caller stores the returned id on its owner and then calls
    /// <see cref="CompleteAsync"/>. If anything fails in between, the intent stays for the reconciler.
    /// </summary>
    public async Task<RtkMeetingCreation> CreateAsync(string appId, MeetingEntity meeting, Guid? occurrenceId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var intent = new MeetingIntentEntity
        {
            PartitionKey = MeetingKeys.IntentBucket(now),
            RowKey = Guid.CreateVersion7().ToString("N"),
            OrgId = meeting.PartitionKey,
            MeetingId = meeting.Id.ToString("D"),
            OccurrenceId = occurrenceId?.ToString("D"),
            AppId = appId,
            Title = meeting.Title,
            CreatedAt = now,
        };
        await store.AddIntentAsync(intent, cancellationToken);
        RtkMeeting created;
        try
        {
            created = await rtk.Meetings.CreateAsync(appId, RequestFor(meeting), cancellationToken);
        }
        catch (RtkException e) when (!e.IsUnavailable)
        {
            // RTK refused: nothing was created, so there is nothing to reconcile.
            await store.DeleteIntentAsync(intent, CancellationToken.None);
            throw;
        }

        intent.RtkMeetingId = created.Id;
        await store.SaveIntentAsync(intent, cancellationToken);
        await store.PutRtkIndexAsync(created.Id, new RtkMeetingOwner(meeting.OrgId, meeting.Id, occurrenceId), cancellationToken);
        LogCreated(logger, created.Id, meeting.PartitionKey, intent.MeetingId, intent.OccurrenceId);
        return new RtkMeetingCreation(created.Id, intent);
    }

    /// <summary>The owner has stored the RTK meeting id: the intent is done.</summary>
    public Task CompleteAsync(RtkMeetingCreation creation, CancellationToken cancellationToken) =>
        store.DeleteIntentAsync(creation.Intent, cancellationToken);

    /// <summary>
    /// For activation sweeps: creates the RTK meeting, lets <paramref name="storeOnOwner"/> record its id
    /// (on the meeting or the occurrence), then sets it ACTIVE. Returns the RTK meeting id.
    /// </summary>
    public async Task<string> CreateActiveAsync(string appId, MeetingEntity meeting, Guid? occurrenceId,
        Func<string, CancellationToken, Task> storeOnOwner, CancellationToken cancellationToken)
    {
        var creation = await CreateAsync(appId, meeting, occurrenceId, cancellationToken);
        await storeOnOwner(creation.RtkMeetingId, cancellationToken);
        await CompleteAsync(creation, cancellationToken);
        await SetStatusAsync(appId, creation.RtkMeetingId, Active, cancellationToken);
        return creation.RtkMeetingId;
    }

    /// <summary>PATCH status ACTIVE or INACTIVE, the only way RTK sets it.</summary>
    public Task SetStatusAsync(string appId, string rtkMeetingId, string status, CancellationToken cancellationToken) =>
        rtk.Meetings.UpdateAsync(appId, rtkMeetingId, new RtkMeetingUpdate { Status = status }, cancellationToken);

    /// <summary>Ends the live session for everyone (none live is fine), then makes the RTK meeting INACTIVE so nobody rejoins.</summary>
    public async Task EndSessionAsync(string appId, string rtkMeetingId, CancellationToken cancellationToken)
    {
        try
        {
            await rtk.ActiveSession.KickAllAsync(appId, rtkMeetingId, cancellationToken);
        }
        catch (RtkException e) when (e.IsNotFound)
        {
            // No active session: nobody to kick.
        }

        await SetStatusAsync(appId, rtkMeetingId, Inactive, cancellationToken);
    }

    /// <summary>RTK meetings created in a window whose title matches, newest first: where a lost create answer is found again.</summary>
    internal async Task<IReadOnlyList<RtkMeeting>> FindCreatedAsync(string appId, string title, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var page = await rtk.Meetings.ListAsync(appId, new RtkMeetingListQuery { Search = title, StartTime = from, EndTime = to, PerPage = 100 }, cancellationToken);
        return [.. page.Items.Where(m => m.Title == title)];
    }

    [LoggerMessage(EventId = 5100, Level = LogLevel.Information, Message = "Created RTK meeting {RtkMeetingId} for org {OrgId} meeting {MeetingId} occurrence {OccurrenceId}")]
    private static partial void LogCreated(ILogger logger, string rtkMeetingId, string orgId, string meetingId, string? occurrenceId);
}

/// <summary>A created RTK meeting and the intent that guards it until its owner stored the id.</summary>
public sealed record RtkMeetingCreation(string RtkMeetingId, MeetingIntentEntity Intent);
