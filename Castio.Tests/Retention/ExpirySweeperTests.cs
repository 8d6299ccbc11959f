using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Castio.Core.Abuse;
using Castio.Core.Auth;
using Castio.Core.Common;
using Castio.Core.Orgs;
using Castio.Core.Retention;
using Castio.Core.Users;
using Castio.Tests.Auth;
using Castio.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace Castio.Tests.Retention;

public class ExpirySweeperTests(AzuriteFixture azurite)
{
    private readonly IdentityWorld _world = new(azurite);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<int> CountAsync(TableClient table, string? filter = null)
    {
        var n = 0;
        await foreach (var _ in table.QueryAsync<TableEntity>(filter, cancellationToken: Ct))
        {
            n++;
        }

        return n;
    }

    [Fact]
    public async Task SweepRemovesExpiredRowsAndKeepsLiveOnes()
    {
        var (_, owner) = await _world.CreateOrgAsync(cancellationToken: Ct);
        var old = await _world.Sessions.StartAsync(owner, Ct);
        await _world.Limiter.AcquireAsync(RateLimitRules.AuthLogin, "old", Ct);

        _world.Clock.Advance(TimeSpan.FromDays(31));
        var live = await _world.Sessions.StartAsync(owner, Ct);
        await _world.Limiter.AcquireAsync(RateLimitRules.AuthLogin, "live", Ct);

        var deleted = await _world.Sweeper.SweepAsync(Ct);

        Assert.Equal(4, deleted); // the old token, its family, its index row and the old window
        Assert.Equal(1, await CountAsync(_world.Tables.RateLimits));
        Assert.Equal(1, await CountAsync(_world.Tables.TokenIndex));
        Assert.Equal(2, await CountAsync(_world.Tables.Sessions)); // the live family and its token
        Assert.True((await _world.Sessions.RefreshAsync(live.RefreshToken, Ct)).Succeeded);
        Assert.False((await _world.Sessions.RefreshAsync(old.RefreshToken, Ct)).Succeeded);
        Assert.Equal(0, await _world.Sweeper.SweepAsync(Ct));
    }

    [Fact]
    public async Task ARotatedSessionLivesAsLongAsItsNewestToken()
    {
        var (_, owner) = await _world.CreateOrgAsync(cancellationToken: Ct);
        var first = await _world.Sessions.StartAsync(owner, Ct);
        _world.Clock.Advance(TimeSpan.FromDays(20));
        var second = (await _world.Sessions.RefreshAsync(first.RefreshToken, Ct)).Value.Session;

        _world.Clock.Advance(TimeSpan.FromDays(11)); // the first token has expired, the second has not
        var deleted = await _world.Sweeper.SweepAsync(Ct);

        Assert.Equal(2, deleted); // the first token and its index row; the family is still in use
        Assert.True((await _world.Sessions.RefreshAsync(second.RefreshToken, Ct)).Succeeded);
    }

    [Fact]
    public async Task ExpiredInvitesAndTheirIndexRowsAreSweptButTheUserStays()
    {
        var (org, owner) = await _world.CreateOrgAsync(cancellationToken: Ct);
        var invited = (await _world.UserService.InviteAsync(IdentityWorld.Caller(owner), new InviteCommand("late@example.com", "Late", "member"), Ct)).Value;
        var invites = TableClient.CreateQueryFilter($"PartitionKey eq {org.PartitionKey} and RowKey gt {UserKeys.InvitePrefix} and RowKey lt {TableKeys.PrefixEnd(UserKeys.InvitePrefix)}");
        Assert.Equal(1, await CountAsync(_world.Tables.Orgs, invites));

        _world.Clock.Advance(_world.Options.Value.InviteLifetime + TimeSpan.FromHours(1));
        await _world.Sweeper.SweepAsync(Ct);

        Assert.Equal(0, await CountAsync(_world.Tables.Orgs, invites));
        Assert.Equal(0, await CountAsync(_world.Tables.TokenIndex));
        Assert.Equal(UserEntity.Invited, (await _world.Users.GetAsync(org.Id, invited.User.Id, Ct))?.Status);
    }

    [Fact]
    public async Task SweepCostGrowsWithWhatIsDueNotWithTableSize()
    {
        var (_, owner) = await _world.CreateOrgAsync(cancellationToken: Ct);
        for (var i = 0; i < 20; i++)
        {
            await _world.Sessions.StartAsync(owner, Ct);
        }

        var requests = new RequestCounter();
        var options = new TableClientOptions();
        options.AddPolicy(requests, HttpPipelinePosition.PerCall);
        var store = new ExpiryStore(new TableServiceClient(azurite.ConnectionString, options), _world.Prefix);
        await store.EnsureCreatedAsync(Ct);
        var sweeper = new ExpirySweeper(store, _world.Clock, NullLogger<ExpirySweeper>.Instance);

        requests.Reset();
        Assert.Equal(0, await sweeper.SweepAsync(Ct));
        Assert.Equal(1, requests.Count); // one query over the due hours, which hold nothing

        _world.Clock.Advance(TimeSpan.FromDays(29));
        var soon = await _world.Sessions.StartAsync(owner, Ct); // due a day after the twenty
        _world.Clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromHours(1));
        requests.Reset();
        Assert.Equal(60, await sweeper.SweepAsync(Ct));
        // Per due target: read, delete, delete its pointer; the live session's pointers are not read.
        Assert.InRange(requests.Count, 1 + (60 * 3), 1 + (60 * 3) + 5);
        Assert.True((await _world.Sessions.RefreshAsync(soon.RefreshToken, Ct)).Succeeded);
    }

    private sealed class RequestCounter : HttpPipelineSynchronousPolicy
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public void Reset() => Volatile.Write(ref _count, 0);

        public override void OnSendingRequest(HttpMessage message) => Interlocked.Increment(ref _count);
    }
}
