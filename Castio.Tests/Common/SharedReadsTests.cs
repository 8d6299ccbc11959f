using Castio.Core.Common;

namespace Castio.Tests.Common;

/// <summary>Overlapping identical reads share one request; nothing is kept once it completes.</summary>
public class SharedReadsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ReadsOfOneKeyInFlightTogetherShareOneRequestAndOtherKeysGetTheirOwn()
    {
        var reads = new SharedReads<string, string>();
        var calls = 0;
        var release = new TaskCompletionSource();
        async Task<string> ReadAsync(string key)
        {
            Interlocked.Increment(ref calls);
            await release.Task;
            return key + "!";
        }

        var same = Enumerable.Range(0, 20).Select(_ => reads.GetAsync("a", ReadAsync, Ct)).ToList();
        var other = reads.GetAsync("b", ReadAsync, Ct);
        release.SetResult();

        Assert.All(await Task.WhenAll(same), v => Assert.Equal("a!", v));
        Assert.Equal("b!", await other);
        Assert.Equal(2, calls);
    }

    [Fact]
    public async Task AReadThatBeginsAfterTheLastOneCompletedAsksAgain()
    {
        var reads = new SharedReads<int, int>();
        var calls = 0;
        Task<int> ReadAsync(int key) => Task.FromResult(Interlocked.Increment(ref calls));

        Assert.Equal(1, await reads.GetAsync(7, ReadAsync, Ct));
        Assert.Equal(2, await reads.GetAsync(7, ReadAsync, Ct));
    }

    [Fact]
    public async Task AFailureReachesEveryoneWaitingAndIsNotKept()
    {
        var reads = new SharedReads<int, int>();
        var release = new TaskCompletionSource();
        var fail = true;
        async Task<int> ReadAsync(int key)
        {
            await release.Task;
            return fail ? throw new InvalidOperationException("storage down") : 42;
        }

        var waiting = Enumerable.Range(0, 5).Select(_ => reads.GetAsync(1, ReadAsync, Ct)).ToList();
        release.SetResult();
        foreach (var w in waiting)
        {
            Assert.Equal("storage down", (await Assert.ThrowsAsync<InvalidOperationException>(() => w)).Message);
        }

        fail = false;
        Assert.Equal(42, await reads.GetAsync(1, ReadAsync, Ct));
    }

    [Fact]
    public async Task OneCallerGivingUpDoesNotCancelTheReadTheOthersWaitFor()
    {
        var reads = new SharedReads<int, int>();
        var release = new TaskCompletionSource();
        async Task<int> ReadAsync(int key)
        {
            await release.Task;
            return 5;
        }

        using var impatient = new CancellationTokenSource();
        var first = reads.GetAsync(1, ReadAsync, impatient.Token);
        var second = reads.GetAsync(1, ReadAsync, Ct);
        await impatient.CancelAsync();
        release.SetResult();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        Assert.Equal(5, await second);
    }
}
