using Castio.Core.PostMeeting;
using Castio.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Castio.Tests.PostMeeting;

/// <summary>The recovery timer's read of the due index: the buckets since its cursor, in one query.</summary>
public class PostMeetingRecoveryTests(AzuriteFixture azurite)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AFirstRunLooksBackTwoDaysInOneQueryAndFindsWhatIsDue()
    {
        var log = new StorageRequestLog();
        await using var app = new CastioApplication(azurite).WithoutTimers().WithStorageRequestLog(log, azurite.ConnectionString);
        var projections = app.Services.GetRequiredService<SessionProjections>();
        var recovery = app.Services.GetRequiredService<PostMeetingRecovery>();
        var meeting = new MeetingRef(Guid.NewGuid(), Guid.NewGuid(), "rtk-m");
        var now = app.Clock.GetUtcNow();
        // An ended session marked due a day ago (a deployment's first timer run has no cursor yet).
        await projections.SessionEndedAsync(meeting, "s-1", now.AddDays(-1).AddHours(-1), now.AddDays(-1), "ALL_PARTICIPANTS_LEFT", null, null, Ct);
        var key = new SessionKey(meeting.OrgId, meeting.MeetingId, "s-1");
        await projections.MarkDueAsync(key, now.AddDays(-1), Ct);

        log.Reset();
        var due = await recovery.TakeDueAsync(Ct);

        Assert.Equal([key], due);
        var dueTable = app.NamePrefix + PostMeetingStore.DueTable;
        // 577 five-minute buckets lie in the look-back: they are read with one query, not one each.
        Assert.Single(log.Requests, r => r.StartsWith("GET ", StringComparison.Ordinal) && r.EndsWith("/" + dueTable + "()", StringComparison.Ordinal));
        Assert.Empty(await recovery.TakeDueAsync(Ct)); // put back one recovery delay later, not due again now
    }
}
