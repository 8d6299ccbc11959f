using System.Globalization;
using Azure;
using Castio.Core.Common;
using Azure.Data.Tables;

namespace Castio.Core.PostMeeting;

/// <summary>
/// Daily analytics by meeting type, kept idempotent: a session's contribution is one row, overwritten from its record
/// each time; a day's totals are recomputed from the contributions under ETag, never incremented.
/// </summary>
public sealed class SessionAnalytics(PostMeetingStore store)
{
    public const string UnknownType = "unknown";

    public static string ContributionRow(string day, string type, string rtkSessionId) => $"c_{day}_{type}_{rtkSessionId}";

    public static string DayRow(string day, string type) => $"d_{day}_{type}";

    /// <summary>Writes the session's contribution and recomputes its day; a session not yet started or ended contributes nothing yet.</summary>
    public async Task UpdateAsync(SessionKey key, CancellationToken cancellationToken)
    {
        var session = await store.GetSessionAsync(key, cancellationToken);
        if (session?.EndedAt is null) return;
        var record = await store.GetSessionRecordAsync(key, cancellationToken);
        if (record is null) return;
        var recordings = (await store.ListRecordingsAsync(key.OrgId, key.MeetingId, cancellationToken)).Where(r => r.RtkSessionId == key.RtkSessionId && r.Status == "UPLOADED").ToList();

        var day = (session.StartedAt ?? session.EndedAt.Value).UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var type = string.IsNullOrEmpty(session.MeetingType) ? UnknownType : session.MeetingType;
        var partition = PostMeetingStore.Org(key.OrgId);
        await store.Analytics.UpsertEntityAsync(new AnalyticsEntity
        {
            PartitionKey = partition,
            RowKey = ContributionRow(day, type, key.RtkSessionId),
            Day = day,
            MeetingType = type,
            MeetingId = key.MeetingId,
            Sessions = 1,
            ParticipantMinutes = record.ParticipantMinutes,
            PeakConcurrency = record.PeakParticipants,
            Participants = record.TotalParticipants,
            Recordings = recordings.Count,
            RecordingMinutes = Math.Round(recordings.Sum(r => r.DurationSeconds ?? 0) / 60.0, 3),
            RecordingBytes = recordings.Sum(r => r.FileSize ?? r.StoredBytes ?? 0),
        }, TableUpdateMode.Replace, cancellationToken);
        await RecomputeDayAsync(key.OrgId, day, type, cancellationToken);
    }

    /// <summary>The day's totals from its contributions; the ETag makes a write based on a stale read retry.</summary>
    public async Task RecomputeDayAsync(Guid orgId, string day, string type, CancellationToken cancellationToken)
    {
        var partition = PostMeetingStore.Org(orgId);
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var current = (await store.Analytics.GetEntityIfExistsAsync<AnalyticsEntity>(partition, DayRow(day, type), cancellationToken: cancellationToken)).ValueOrNull();
            var parts = await PostMeetingStore.QueryPrefixAsync<AnalyticsEntity>(store.Analytics, partition, $"c_{day}_{type}_", cancellationToken);
            var total = new AnalyticsEntity
            {
                PartitionKey = partition,
                RowKey = DayRow(day, type),
                Day = day,
                MeetingType = type,
                Sessions = parts.Sum(p => p.Sessions),
                ParticipantMinutes = Math.Round(parts.Sum(p => p.ParticipantMinutes), 3),
                PeakConcurrency = parts.Count == 0 ? 0 : parts.Max(p => p.PeakConcurrency),
                Participants = parts.Sum(p => p.Participants),
                Recordings = parts.Sum(p => p.Recordings),
                RecordingMinutes = Math.Round(parts.Sum(p => p.RecordingMinutes), 3),
                RecordingBytes = parts.Sum(p => p.RecordingBytes),
            };
            try
            {
                if (current is null) await store.Analytics.AddEntityAsync(total, cancellationToken);
                else await store.Analytics.UpdateEntityAsync(total, current.ETag, TableUpdateMode.Replace, cancellationToken);
                return;
            }
            catch (RequestFailedException e) when (PostMeetingStore.IsConflict(e))
            {
            }
        }
        throw new InvalidOperationException($"Analytics of {day}/{type} kept changing under the recount.");
    }
}
