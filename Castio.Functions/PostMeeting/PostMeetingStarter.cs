using Castio.Core.PostMeeting;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace Castio.Functions.PostMeeting;

/// <summary>
/// Starts a session's post-meeting orchestration (deterministic instance id), or wakes the running one. Best effort:
/// the fact is already in the record and the due index, so a failed wake is picked up by the recovery timer.
/// </summary>
public sealed partial class PostMeetingStarter(ILogger<PostMeetingStarter> logger)
{
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
