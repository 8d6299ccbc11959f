using Castio.Core.Abuse;
using Castio.Tests.Infrastructure;

namespace Castio.Tests.Auth;

public class RateLimiterTests(AzuriteFixture azurite)
{
    private readonly IdentityWorld _world = new(azurite);
    private static readonly RateLimitRule Rule = new("test.rule", 5, TimeSpan.FromMinutes(1));
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AllowsTheLimitThenRefusesWithRetryAfter()
    {
        for (var i = 0; i < Rule.Limit; i++)
        {
            var ok = await _world.Limiter.AcquireAsync(Rule, "key", Ct);
            Assert.True(ok.Allowed);
            Assert.Equal(Rule.Limit - i - 1, ok.Remaining);
        }

        var refused = await _world.Limiter.AcquireAsync(Rule, "key", Ct);

        Assert.False(refused.Allowed);
        Assert.True(refused.RetryAfter >= TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task RecoversAfterRetryAfterButNotBefore()
    {
        for (var i = 0; i < Rule.Limit; i++)
        {
            await _world.Limiter.AcquireAsync(Rule, "key", Ct);
        }

        var refused = await _world.Limiter.AcquireAsync(Rule, "key", Ct);
        _world.Clock.Advance(refused.RetryAfter - TimeSpan.FromSeconds(2));
        Assert.False((await _world.Limiter.AcquireAsync(Rule, "key", Ct)).Allowed);

        _world.Clock.Advance(TimeSpan.FromSeconds(2));
        Assert.True((await _world.Limiter.AcquireAsync(Rule, "key", Ct)).Allowed);
    }

    [Fact]
    public async Task SlidingWindowStopsABurstAcrossTheWindowEdge()
    {
        // Five at the very end of one window, then a fixed window would allow five more at once.
        var now = _world.Clock.GetUtcNow();
        var untilEdge = TimeSpan.FromTicks(Rule.Window.Ticks - (now.UtcTicks % Rule.Window.Ticks)) - TimeSpan.FromSeconds(1);
        _world.Clock.Advance(untilEdge);
        for (var i = 0; i < Rule.Limit; i++)
        {
            Assert.True((await _world.Limiter.AcquireAsync(Rule, "edge", Ct)).Allowed);
        }

        _world.Clock.Advance(TimeSpan.FromSeconds(2));

        Assert.False((await _world.Limiter.AcquireAsync(Rule, "edge", Ct)).Allowed);
    }

    [Fact]
    public async Task KeysAreCountedSeparately()
    {
        for (var i = 0; i < Rule.Limit; i++)
        {
            await _world.Limiter.AcquireAsync(Rule, "a", Ct);
        }

        Assert.False((await _world.Limiter.AcquireAsync(Rule, "a", Ct)).Allowed);
        Assert.True((await _world.Limiter.AcquireAsync(Rule, "b", Ct)).Allowed);
    }

    [Fact]
    public async Task ParallelRequestsNeverExceedTheLimit()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => _world.Limiter.AcquireAsync(Rule, "parallel", Ct)));

        Assert.True(results.Count(r => r.Allowed) <= Rule.Limit);
        Assert.True(results.Count(r => r.Allowed) >= 1);
    }

    [Fact]
    public async Task CheckDoesNotCount()
    {
        for (var i = 0; i < 10; i++)
        {
            Assert.True((await _world.Limiter.CheckAsync(Rule, "peek", Ct)).Allowed);
        }

        Assert.Equal(Rule.Limit - 1, (await _world.Limiter.AcquireAsync(Rule, "peek", Ct)).Remaining);
    }
}
