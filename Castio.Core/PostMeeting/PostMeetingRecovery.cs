using System.Globalization;
using Azure;
using Castio.Core.Common;
using Azure.Data.Tables;

namespace Castio.Core.PostMeeting;

/// <summary>
/// Finds sessions whose post-meeting work is due and unfinished, by reading only the due 5-minute buckets of
/// <c>pmdue</c> (a cursor remembers the last bucket read): never a scan of sessions. Covers a lost orchestration
/// start in Azure and the in-memory local host restarting.
/// </summary>
public sealed class PostMeetingRecovery(PostMeetingStore store, Microsoft.Extensions.Options.IOptions<PostMeetingOptions> options, TimeProvider time)
{
    private const string CursorPartition = "cursor";
    private const string CursorRow = "recovery";

    /// <summary>How far back a first run (no cursor yet) looks.</summary>
    public static readonly TimeSpan FirstLookBack = TimeSpan.FromDays(2);

    /// <summary>
    /// Sessions to (re)start now. Each one found unfinished is put back one recovery delay later, so it is looked at
    /// again until its record is complete; finished ones leave the index.
    /// </summary>
    public async Task<IReadOnlyList<SessionKey>> TakeDueAsync(CancellationToken cancellationToken)
    {
        await store.EnsureCreatedAsync(cancellationToken);
        var now = time.GetUtcNow();
        var current = PostMeetingStore.DueBucket(now);
        var cursor = (await store.Due.GetEntityIfExistsAsync<TableEntity>(CursorPartition, CursorRow, cancellationToken: cancellationToken)).ValueOrNull();
        var from = cursor?.GetString("Bucket") is { } last
            ? DateTimeOffset.ParseExact(last, "yyyyMMddHHmm", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).AddMinutes(5)
            : now - FirstLookBack;

        var found = new List<SessionKey>();
        // One range query over the buckets since the cursor (a first run's look-back spans hundreds of buckets; they
        // are neighbouring partitions, and the cursor's own partition sorts after every bucket).
        var first = PostMeetingStore.DueBucket(from);
        if (string.CompareOrdinal(first, current) <= 0)
        {
            var query = store.Due.QueryAsync<PostMeetingDueEntity>(
                e => e.PartitionKey.CompareTo(first) >= 0 && e.PartitionKey.CompareTo(current) <= 0, cancellationToken: cancellationToken);
            await foreach (var due in query)
            {
                var key = new SessionKey(due.OrgId, due.MeetingId, due.RtkSessionId);
                var session = await store.GetSessionAsync(key, cancellationToken);
                if (session is not null && !IsFinished(session))
                {
                    found.Add(key);
                    await store.Due.UpsertEntityAsync(new PostMeetingDueEntity
                    {
                        PartitionKey = PostMeetingStore.DueBucket(now + options.Value.RecoveryDelay), RowKey = due.RowKey,
                        OrgId = due.OrgId, MeetingId = due.MeetingId, RtkSessionId = due.RtkSessionId,
                    }, TableUpdateMode.Replace, cancellationToken);
                }
                try
                {
                    await store.Due.DeleteEntityAsync(due.PartitionKey, due.RowKey, due.ETag, cancellationToken);
                }
                catch (RequestFailedException e) when (e.Status is 404 or 412)
                {
                }
            }
        }

        // The current bucket stays unread-for-good: work can still be put into it.
        var done = PostMeetingStore.DueBucket(now.AddMinutes(-5));
        await store.Due.UpsertEntityAsync(new TableEntity(CursorPartition, CursorRow) { ["Bucket"] = done }, TableUpdateMode.Replace, cancellationToken);
        return found.Distinct().ToList();
    }

    /// <summary>Finished: the orchestration completed it, and no fact needing work arrived after that.</summary>
    public static bool IsFinished(SessionEntity session) => session.CompletedAt is { } completed && (session.DueAt is null || session.DueAt <= completed);
}
