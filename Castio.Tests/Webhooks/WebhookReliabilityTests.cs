using System.Collections.Concurrent;
using Azure.Data.Tables;
using Castio.Core.Joining;
using Castio.Core.PostMeeting;
using Castio.Core.Webhooks;
using Castio.Tests.Infrastructure;
using Castio.Tests.PostMeeting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Castio.Tests.Webhooks;

/// <summary>
/// 10,000 RTK events applied once in order, and again with 30% duplicates (same and new rtk-uuid) shuffled and
/// concurrent, each run into its own tables: the projections and the analytics must come out identical.
/// </summary>
public class WebhookReliabilityTests(AzuriteFixture azurite)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly string[] ProjectionTables =
        [PostMeetingStore.SessionsTable, PostMeetingStore.PeersTable, PostMeetingStore.RecordingsTable, PostMeetingStore.ArtefactsTable, PostMeetingStore.LivestreamsTable];

    [Fact]
    public async Task TenThousandEventsWithDuplicatesShuffledGiveTheSameRecordAsTheCleanInOrderRun()
    {
        await using var world = await PostMeetingWorld.StartAsync(azurite);
        var meetings = new List<string>();
        for (var i = 0; i < 3; i++) meetings.Add((await world.StartMeetingAsync(new { title = $"Meeting {i}" })).RtkMeetingId);
        var clean = WebhookEventScript.Generate(meetings, world.AppId, 10_000, seed: 9);
        var noisy = WebhookEventScript.WithDuplicatesShuffled(clean, 0.30, seed: 17);
        Assert.True(clean.Count >= 10_000);

        var ordered = Pipeline(world, "o" + Guid.NewGuid().ToString("N")[..10]);
        var shuffled = Pipeline(world, "s" + Guid.NewGuid().ToString("N")[..10]);

        // In order: sessions side by side, each session's events one after another, as RTK produced them.
        await Parallel.ForEachAsync(clean.GroupBy(e => e.SessionId), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = Ct }, async (session, ct) =>
        {
            foreach (var e in session) Assert.Equal(200, (await ordered.Service.ReceiveAsync(e.Body, e.Uuid, "hook", ct)).StatusCode);
        });
        // Shuffled, duplicated and concurrent.
        var statuses = new ConcurrentBag<string>();
        await Parallel.ForEachAsync(noisy, new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = Ct }, async (e, ct) =>
        {
            var receipt = await shuffled.Service.ReceiveAsync(e.Body, e.Uuid, "hook", ct);
            Assert.Equal(200, receipt.StatusCode);
            statuses.Add(receipt.Status);
        });

        foreach (var run in new[] { ordered, shuffled })
        {
            var keys = clean.Select(e => e.SessionId).Distinct();
            var resolver = world.App.Services.GetRequiredService<RtkMeetingResolver>();
            foreach (var session in clean.GroupBy(e => e.SessionId))
            {
                var rtkMeetingId = System.Text.Json.Nodes.JsonNode.Parse(session.First().Body)!["meeting"]!["id"]!.ToString();
                var meeting = (await resolver.ResolveAsync(rtkMeetingId, Ct))!;
                await run.Analytics.UpdateAsync(new SessionKey(meeting.OrgId, meeting.MeetingId, session.Key), Ct);
            }
        }

        foreach (var table in ProjectionTables.Append(PostMeetingStore.AnalyticsTable))
        {
            var a = await SnapshotAsync(world.App.Tables, ordered.Prefix + table);
            var b = await SnapshotAsync(world.App.Tables, shuffled.Prefix + table);
            Assert.True(a.Count > 0, table);
            Assert.Equal(a, b);
        }

        // Nothing lost: every delivery has a ledger row with a final status; every duplicate was recognised or re-applied harmlessly.
        Assert.Equal(noisy.Count, statuses.Count);
        Assert.DoesNotContain(statuses, s => s is WebhookDeliveryStatus.Received or WebhookDeliveryStatus.Failed);
        // Nothing applied twice: each fact processed by exactly one delivery, every repeat recognised, even when it raced its original.
        Assert.Equal(clean.Count, statuses.Count(s => s == WebhookDeliveryStatus.Processed));
        Assert.Equal(noisy.Count - clean.Count, statuses.Count(s => s == WebhookDeliveryStatus.Duplicate));
        var ledgerRows = (await SnapshotAsync(world.App.Tables, shuffled.Prefix + WebhookLedger.DeliveriesTable, keepVolatile: true))
            .Where(r => !r.Contains("RowKey=k_", StringComparison.Ordinal)).ToList(); // business-key claims share the table
        Assert.Equal(noisy.Count, ledgerRows.Count);
        var sessions = await SnapshotAsync(world.App.Tables, shuffled.Prefix + PostMeetingStore.SessionsTable);
        Assert.Equal(clean.Select(e => e.SessionId).Distinct().Count(), sessions.Count);
    }

    private sealed record Run(string Prefix, WebhookService Service, SessionAnalytics Analytics);

    private static Run Pipeline(PostMeetingWorld world, string prefix)
    {
        var sp = world.App.Services;
        var tables = sp.GetRequiredService<TableServiceClient>();
        var time = sp.GetRequiredService<TimeProvider>();
        var store = new PostMeetingStore(tables, prefix);
        var service = new WebhookService(new WebhookLedger(tables, prefix), sp.GetRequiredService<RtkMeetingResolver>(), new SessionProjections(store, time, sp.GetRequiredService<ParticipantPresence>()),
            sp.GetRequiredService<IOptions<PostMeetingOptions>>(), time, NullLogger<WebhookService>.Instance);
        return new Run(prefix, service, new SessionAnalytics(store));
    }

    /// <summary>Every row as sorted "pk|rk|name=value;..." lines, without storage bookkeeping and receipt times.</summary>
    internal static async Task<List<string>> SnapshotAsync(TableServiceClient tables, string table, bool keepVolatile = false)
    {
        string[] volatileNames = ["Timestamp", "odata.etag", nameof(SessionEntity.DueAt)];
        var rows = new List<string>();
        await foreach (var e in tables.GetTableClient(table).QueryAsync<TableEntity>(cancellationToken: Ct))
        {
            var values = e.Keys.Where(k => keepVolatile || !volatileNames.Contains(k)).Order(StringComparer.Ordinal)
                .Select(k => $"{k}={(e[k] is DateTimeOffset d ? d.ToUniversalTime().ToString("O") : e[k])}");
            rows.Add(string.Join(';', values));
        }
        rows.Sort(StringComparer.Ordinal);
        return rows;
    }
}
