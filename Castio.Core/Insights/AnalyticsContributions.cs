using System.Globalization;
using Azure.Data.Tables;
using Castio.Core.PostMeeting;

namespace Castio.Core.Insights;

/// <summary>One session's contribution row of the post-meeting analytics, with the meeting it belongs to when the row names it.</summary>
public sealed record ContributionRow(string Day, string MeetingType, Guid? MeetingId, AnalyticsEntity Row);

public static class AnalyticsContributions
{
    /// <summary>
    /// The contribution rows (<c>c_{yyyyMMdd}_…</c>, one per session) of an org between two UTC days, both included: a
    /// key-range read bounded by the range, never a scan of raw events.
    /// </summary>
    public static async Task<IReadOnlyList<ContributionRow>> ListAnalyticsContributionsAsync(this PostMeetingStore store, Guid orgId, DateOnly from, DateOnly to, CancellationToken cancellationToken)
    {
        await store.EnsureCreatedAsync(cancellationToken);
        var org = PostMeetingStore.Org(orgId);
        var low = "c_" + from.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var high = "c_" + to.AddDays(1).ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var rows = new List<ContributionRow>();
        await foreach (var e in store.Analytics.QueryAsync<TableEntity>(PostMeetingStore.RangeFilter(org, low, high), cancellationToken: cancellationToken))
        {
            var row = new AnalyticsEntity
            {
                PartitionKey = e.PartitionKey, RowKey = e.RowKey,
                Day = e.GetString(nameof(AnalyticsEntity.Day)) ?? "", MeetingType = e.GetString(nameof(AnalyticsEntity.MeetingType)) ?? SessionAnalytics.UnknownType,
                Sessions = e.GetInt32(nameof(AnalyticsEntity.Sessions)) ?? 0, ParticipantMinutes = e.GetDouble(nameof(AnalyticsEntity.ParticipantMinutes)) ?? 0,
                PeakConcurrency = e.GetInt32(nameof(AnalyticsEntity.PeakConcurrency)) ?? 0, Participants = e.GetInt32(nameof(AnalyticsEntity.Participants)) ?? 0,
                RecordingMinutes = e.GetDouble(nameof(AnalyticsEntity.RecordingMinutes)) ?? 0, RecordingBytes = e.GetInt64(nameof(AnalyticsEntity.RecordingBytes)) ?? 0,
                Recordings = e.GetInt32(nameof(AnalyticsEntity.Recordings)) ?? 0,
            };
            rows.Add(new ContributionRow(row.Day, row.MeetingType, e.GetGuid(nameof(AnalyticsEntity.MeetingId)), row));
        }
        return rows;
    }
}
