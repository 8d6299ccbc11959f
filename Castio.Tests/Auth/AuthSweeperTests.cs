using Castio.Core.Abuse;
using Castio.Core.Auth;
using Azure.Data.Tables;
using Castio.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace Castio.Tests.Auth;

public class AuthSweeperTests(AzuriteFixture azurite)
{
    private readonly IdentityWorld _world = new(azurite);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<int> CountAsync<T>(TableClient table) where T : class, ITableEntity
    {
        var n = 0;
        await foreach (var _ in table.QueryAsync<T>(cancellationToken: Ct))
        {
            n++;
        }

        return n;
    }

    [Fact]
    public async Task SweepRemovesExpiredRowsAndKeepsLiveOnes()
    {
        var sweeper = new AuthSweeper(_world.Tables, _world.Options, _world.Clock, NullLogger<AuthSweeper>.Instance);
        var (_, owner) = await _world.CreateOrgAsync(cancellationToken: Ct);
        var old = await _world.Sessions.StartAsync(owner, Ct);
        await _world.Limiter.AcquireAsync(RateLimitRules.AuthLogin, "old", Ct);

        _world.Clock.Advance(TimeSpan.FromDays(31));
        var live = await _world.Sessions.StartAsync(owner, Ct);
        await _world.Limiter.AcquireAsync(RateLimitRules.AuthLogin, "live", Ct);

        var deleted = await sweeper.SweepAsync(Ct);

        Assert.True(deleted >= 4, $"deleted {deleted}");
        Assert.Equal(1, await CountAsync<RateLimitEntity>(_world.Tables.RateLimits));
        Assert.Equal(1, await CountAsync<TokenIndexEntity>(_world.Tables.TokenIndex));
        Assert.True((await _world.Sessions.RefreshAsync(live.RefreshToken, Ct)).Succeeded);
        Assert.False((await _world.Sessions.RefreshAsync(old.RefreshToken, Ct)).Succeeded);
        Assert.Equal(0, await sweeper.SweepAsync(Ct));
    }
}
