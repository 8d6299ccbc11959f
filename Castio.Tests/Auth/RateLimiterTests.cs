using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Castio.Core.Abuse;
using Castio.Core.Orgs;
using Castio.Core.Retention;
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

    [Fact]
    public async Task SixtyFourConcurrentAcquisitionsOnOneKeyAllowExactlyTheLimit()
    {
        var rule = new RateLimitRule("test.burst", 10, TimeSpan.FromMinutes(1));

        var results = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => _world.Limiter.AcquireAsync(rule, "burst", Ct)));

        Assert.Equal(10, results.Count(r => r.Allowed));
        Assert.All(results.Where(r => !r.Allowed), r => Assert.True(r.RetryAfter >= TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public async Task InstancesSharingTheTableTogetherAllowExactlyTheLimit()
    {
        var rule = new RateLimitRule("test.shared", 10, TimeSpan.FromMinutes(1));
        var other = new RateLimiter(azurite.Tables, _world.Expiries, _world.Clock, _world.Prefix);
        // The other instance has already read the window when this one starts counting.
        Assert.True((await other.CheckAsync(rule, "shared", Ct)).Allowed);

        var results = await Task.WhenAll(Enumerable.Range(0, 64).Select(i => (i % 2 == 0 ? _world.Limiter : other).AcquireAsync(rule, "shared", Ct)));

        Assert.Equal(10, results.Count(r => r.Allowed));
        Assert.False((await new RateLimiter(azurite.Tables, _world.Expiries, _world.Clock, _world.Prefix).AcquireAsync(rule, "shared", Ct)).Allowed);
    }

    [Fact]
    public async Task AnInstanceThatStartsInTheNextWindowWeighsThePreviousWindowItReadsFromStorage()
    {
        var rule = new RateLimitRule("test.previous", 10, TimeSpan.FromMinutes(1));
        var now = _world.Clock.GetUtcNow();
        _world.Clock.Advance(TimeSpan.FromTicks(rule.Window.Ticks - (now.UtcTicks % rule.Window.Ticks)) - TimeSpan.FromSeconds(30));
        for (var i = 0; i < rule.Limit; i++)
        {
            Assert.True((await _world.Limiter.AcquireAsync(rule, "k", Ct)).Allowed);
        }

        // 6 s into the next window the previous one still weighs 90%: 9 of 10 taken, so one more and no more.
        _world.Clock.Advance(TimeSpan.FromSeconds(36));
        var fresh = new RateLimiter(azurite.Tables, _world.Expiries, _world.Clock, _world.Prefix);

        Assert.True((await fresh.AcquireAsync(rule, "k", Ct)).Allowed);
        Assert.False((await fresh.AcquireAsync(rule, "k", Ct)).Allowed);
        // Another key's windows are not counted with it.
        Assert.True((await fresh.AcquireAsync(rule, "k2", Ct)).Allowed);
    }

    [Fact]
    public async Task RefusalsInAFullWindowAreAnsweredWithoutStorage()
    {
        var requests = new RequestCounter();
        var options = new TableClientOptions();
        options.AddPolicy(requests, HttpPipelinePosition.PerCall);
        var service = new TableServiceClient(azurite.ConnectionString, options);
        var limiter = new RateLimiter(service, new ExpiryStore(service, _world.Prefix), _world.Clock, _world.Prefix);
        for (var i = 0; i < Rule.Limit; i++)
        {
            Assert.True((await limiter.AcquireAsync(Rule, "memo", Ct)).Allowed);
        }

        requests.Reset();
        var refused = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => limiter.AcquireAsync(Rule, "memo", Ct)));

        Assert.All(refused, r => Assert.False(r.Allowed));
        Assert.Equal(0, requests.Count);
    }

    [Fact]
    public async Task AReleasedReservationNoLongerCounts()
    {
        var reservations = new List<RateLimitReservation>();
        for (var i = 0; i < Rule.Limit; i++)
        {
            reservations.Add(await _world.Limiter.ReserveAsync(Rule, "release", Ct));
        }

        Assert.False((await _world.Limiter.AcquireAsync(Rule, "release", Ct)).Allowed);
        await _world.Limiter.ReleaseAsync(reservations[2], Ct);

        Assert.True((await _world.Limiter.AcquireAsync(Rule, "release", Ct)).Allowed);
        Assert.False((await _world.Limiter.AcquireAsync(Rule, "release", Ct)).Allowed);
    }

    private sealed class RequestCounter : HttpPipelineSynchronousPolicy
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public void Reset() => Volatile.Write(ref _count, 0);

        public override void OnSendingRequest(HttpMessage message) => Interlocked.Increment(ref _count);
    }
}
