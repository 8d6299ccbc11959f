using Castio.Core.PostMeeting;
using Castio.Functions.PostMeeting;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;

namespace Castio.Tests.PostMeeting;

/// <summary>The webhook's wake of a post-meeting orchestration: off the request path, and a burst of them coalesced.</summary>
public class PostMeetingStarterTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ABurstOfWakesForOneSessionCostsTheWakeUnderWayAndOneMore()
    {
        await using var host = await DurableTaskTestHost.StartAsync(_ => { }, cancellationToken: Ct);
        var client = new CountingClient(host.Client);
        var starter = new PostMeetingStarter(NullLogger<PostMeetingStarter>.Instance, new ApplicationLifetime(NullLogger<ApplicationLifetime>.Instance));
        var session = new SessionKey(Guid.NewGuid(), Guid.NewGuid(), "s-" + Guid.NewGuid().ToString("N"));
        var other = session with { RtkSessionId = "s-" + Guid.NewGuid().ToString("N") };

        // The first wake is held at its first look until all 50 were asked for: they arrive while it is under way.
        for (var i = 0; i < 50; i++)
            starter.WakeInBackground(client, session);
        starter.WakeInBackground(client, other);
        client.Release();

        // Every expected look happened (however slowly a loaded machine runs the background wakes), then no more came.
        await client.SettledAsync(() => client.Looks(session.InstanceId) >= 2 && client.Looks(other.InstanceId) >= 1, Ct);
        Assert.Equal(2, client.Looks(session.InstanceId));
        Assert.Equal(1, client.Looks(other.InstanceId));
        Assert.NotNull(await host.Client.GetInstanceAsync(session.InstanceId, Ct));
    }

    /// <summary>The real client, counting each instance's lookups; the first is held until <see cref="Release"/>.</summary>
    private sealed class CountingClient(DurableTaskClient inner) : DurableTaskClient("counting")
    {
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _looks = new();
        private long _lastCall = Environment.TickCount64;

        public void Release() => _released.TrySetResult();

        public int Looks(string id) => _looks.GetValueOrDefault(id);

        /// <summary>Waits until <paramref name="reached"/> holds (at most 30 s), then until no call was made for half a second.</summary>
        public async Task SettledAsync(Func<bool> reached, CancellationToken cancellationToken)
        {
            for (var waited = 0; !reached() && waited < 30_000; waited += 50)
                await Task.Delay(50, cancellationToken);
            while (Environment.TickCount64 - Interlocked.Read(ref _lastCall) < 500)
                await Task.Delay(100, cancellationToken);
        }

        private void Called() => Interlocked.Exchange(ref _lastCall, Environment.TickCount64);

        public override async Task<OrchestrationMetadata?> GetInstancesAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default)
        {
            Called();
            _looks.AddOrUpdate(instanceId, 1, (_, n) => n + 1);
            await _released.Task;
            Called();
            return await inner.GetInstancesAsync(instanceId, getInputsAndOutputs, cancellation);
        }

        public override Task<string> ScheduleNewOrchestrationInstanceAsync(TaskName orchestratorName, object? input = null, StartOrchestrationOptions? options = null, CancellationToken cancellation = default)
        {
            Called();
            return inner.ScheduleNewOrchestrationInstanceAsync(orchestratorName, input, options, cancellation);
        }

        public override Task RaiseEventAsync(string instanceId, string eventName, object? eventPayload = null, CancellationToken cancellation = default)
        {
            Called();
            return inner.RaiseEventAsync(instanceId, eventName, eventPayload, cancellation);
        }

        public override Task<PurgeResult> PurgeInstanceAsync(string instanceId, PurgeInstanceOptions? options = null, CancellationToken cancellation = default)
        {
            Called();
            return inner.PurgeInstanceAsync(instanceId, options, cancellation);
        }

        public override AsyncPageable<OrchestrationMetadata> GetAllInstancesAsync(OrchestrationQuery? filter = null) => inner.GetAllInstancesAsync(filter);

        public override Task<OrchestrationMetadata> WaitForInstanceStartAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) =>
            inner.WaitForInstanceStartAsync(instanceId, getInputsAndOutputs, cancellation);

        public override Task<OrchestrationMetadata> WaitForInstanceCompletionAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) =>
            inner.WaitForInstanceCompletionAsync(instanceId, getInputsAndOutputs, cancellation);

        public override Task TerminateInstanceAsync(string instanceId, TerminateInstanceOptions? options = null, CancellationToken cancellation = default) =>
            inner.TerminateInstanceAsync(instanceId, options, cancellation);

        public override Task SuspendInstanceAsync(string instanceId, string? reason = null, CancellationToken cancellation = default) =>
            inner.SuspendInstanceAsync(instanceId, reason, cancellation);

        public override Task ResumeInstanceAsync(string instanceId, string? reason = null, CancellationToken cancellation = default) =>
            inner.ResumeInstanceAsync(instanceId, reason, cancellation);

        public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
