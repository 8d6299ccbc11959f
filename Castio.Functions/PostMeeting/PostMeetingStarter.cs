using Castio.Core.PostMeeting;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace Castio.Functions.PostMeeting;

/// <summary>
/// Starts a session's post-meeting orchestration (deterministic instance id), or wakes the running one. Best effort:
/// the fact is already in the record and the due index, so a failed wake is picked up by the recovery timer.
/// </summary>
public sealed partial class PostMeetingStarter(ILogger<PostMeetingStarter> logger, IHostApplicationLifetime lifetime)
{
    // Sessions with a background wake under way; true when another was asked for meanwhile (it runs after).
    private readonly Dictionary<string, bool> _waking = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>
    /// Wakes the session's orchestration without making the caller wait (the webhook answers RTK at once). A burst of
    /// wakes for one session costs one more after the one under way, not one each. A wake lost with the process is
    /// the recovery timer's, as any failed wake.
    /// </summary>
    public void WakeInBackground(DurableTaskClient client, SessionKey key)
    {
        var id = key.InstanceId;
        lock (_gate)
        {
            if (_waking.ContainsKey(id))
            {
                _waking[id] = true;
                return;
            }
            _waking[id] = false;
        }
        _ = Task.Run(async () =>
        {
            try
            {
                do
                {
                    await WakeAsync(client, key, lifetime.ApplicationStopping);
                }
                while (Again(id));
            }
            catch (OperationCanceledException)
            {
                // The host is stopping: what was not woken is the recovery timer's.
                lock (_gate)
                {
                    _waking.Remove(id);
                }
            }
        });
    }

    private bool Again(string id)
    {
        lock (_gate)
        {
            if (_waking[id])
            {
                _waking[id] = false;
                return true;
            }
            _waking.Remove(id);
            return false;
        }
    }

    public async Task WakeAsync(DurableTaskClient client, SessionKey key, CancellationToken cancellationToken)
    {
        try
        {
            await EnsureAsync(client, key, cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            LogWakeFailed(logger, key.InstanceId, e);
        }
    }

    private static async Task EnsureAsync(DurableTaskClient client, SessionKey key, CancellationToken cancellationToken)
    {
        var id = key.InstanceId;
        for (var attempt = 0; ; attempt++)
        {
            var instance = await client.GetInstanceAsync(id, cancellationToken);
            if (instance is { RuntimeStatus: OrchestrationRuntimeStatus.Running or OrchestrationRuntimeStatus.Pending or OrchestrationRuntimeStatus.Suspended })
            {
                await client.RaiseEventAsync(id, PostMeetingFunctions.WakeEvent, "wake", cancellationToken);
                return;
            }

            // A finished run (or none): start afresh. Its record, not its history, says what is left to do.
            if (instance is not null) await client.PurgeInstanceAsync(id, cancellation: cancellationToken);
            try
            {
                await client.ScheduleNewOrchestrationInstanceAsync(PostMeetingFunctions.Orchestrator, new PostMeetingInput(key, 0),
                    new StartOrchestrationOptions(id), cancellationToken);
                return;
            }
            catch (Exception) when (attempt < 2 && !cancellationToken.IsCancellationRequested)
            {
                // Another delivery started it in between: look again and wake that one.
            }
        }
    }

    [LoggerMessage(EventId = 1501, EventName = "PostMeetingWakeFailed", Level = LogLevel.Warning, Message = "Could not start or wake post-meeting orchestration {InstanceId}; the recovery timer will")]
    private static partial void LogWakeFailed(ILogger logger, string instanceId, Exception exception);
}
