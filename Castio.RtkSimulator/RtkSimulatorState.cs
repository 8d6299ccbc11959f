using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Castio.RtkSimulator;

/// <summary>One HTTP request the simulator received on its REST API.</summary>
public sealed record RecordedRequest(string Method, string Path, string Query, string Body, string? Authorization, DateTimeOffset ReceivedAt);

/// <summary>One attempt to deliver a webhook.</summary>
public sealed record WebhookDeliveryAttempt(
    string DeliveryId, string WebhookId, string Event, string Url, int Attempt, int? StatusCode, string? Error, string Body, string Signature, DateTimeOffset At);

/// <summary>The result of making a participant join through a token.</summary>
public sealed record SimulatedJoin(string PeerId, string SessionId, string ParticipantId, string MeetingId, string AppId, bool SessionStarted);

/// <summary>A refusal from the simulator's domain rules, turned into an RTK error response.</summary>
public sealed class SimulatorException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;
}

/// <summary>One request for an artefact download link (<c>/__sim/files/...</c>) and how it was answered.</summary>
/// <param name="Outcome"><c>served</c>, <c>status</c> (an error status), <c>truncated</c> (body cut short, connection reset) or <c>dropped</c> (connection reset before any answer).</param>
public sealed record RecordedDownload(string FileId, string FileName, int? Status, string Outcome, DateTimeOffset At);

/// <summary>How an injected artefact-download failure answers.</summary>
public enum DownloadFailure
{
    /// <summary>An error status with an S3-style XML body.</summary>
    Status,

    /// <summary>200 with the full Content-Length, half the body, then the connection is reset.</summary>
    Truncate,

    /// <summary>The connection is reset before anything is answered.</summary>
    DropConnection,
}

/// <summary>
/// Faults to inject; change them at any time. The REST API's (<see cref="Down"/>, latency, errors, fail-next) and the
/// artefact downloads' (<c>Files*</c>, <see cref="FailNextDownloads"/>) are separate, as RTK's API and its bucket are.
/// </summary>
public sealed class SimulatorFaults
{
    private readonly ConcurrentQueue<(int Status, TimeSpan? RetryAfter)> _next = new();
    private readonly ConcurrentQueue<(DownloadFailure Kind, int Status)> _nextDownloads = new();

    /// <summary>Every REST call answers 503 as if RTK were down.</summary>
    public volatile bool Down;

    /// <summary>When <see cref="Down"/>, drop the connection instead of answering 503.</summary>
    public volatile bool DownDropsConnections;

    /// <summary>Delay added before each REST answer, in milliseconds.</summary>
    public volatile int LatencyMs;

    /// <summary>Share (0..1) of REST calls answered with <see cref="ErrorStatus"/>.</summary>
    public double ErrorRate;

    public int ErrorStatus = 500;

    /// <summary>Answer the next <paramref name="count"/> REST calls with <paramref name="status"/> (and Retry-After for 429).</summary>
    public void FailNext(int count, int status, TimeSpan? retryAfter = null)
    {
        for (var i = 0; i < count; i++) _next.Enqueue((status, retryAfter));
    }

    internal bool TryTakeNext(out (int Status, TimeSpan? RetryAfter) failure) => _next.TryDequeue(out failure);

    /// <summary>Every artefact download answers <see cref="FilesErrorStatus"/>, expired link or not, as a bucket outage would.</summary>
    public volatile bool FilesDown;

    /// <summary>When <see cref="FilesDown"/>, reset the connection instead of answering.</summary>
    public volatile bool FilesDownDropsConnections;

    /// <summary>Status answered while <see cref="FilesDown"/>.</summary>
    public volatile int FilesErrorStatus = 503;

    /// <summary>Delay added before each artefact download answers, in milliseconds.</summary>
    public volatile int FilesLatencyMs;

    /// <summary>Every download link answers 403 as an expired pre-signed URL does, whatever its expiry.</summary>
    public volatile bool FilesExpired;

    /// <summary>Fail the next <paramref name="count"/> artefact downloads (any file) the way <paramref name="kind"/> says.</summary>
    public void FailNextDownloads(int count, DownloadFailure kind = DownloadFailure.Status, int status = 503)
    {
        for (var i = 0; i < count; i++) _nextDownloads.Enqueue((kind, status));
    }

    /// <summary>Injected download failures not yet used.</summary>
    public int PendingDownloadFailures => _nextDownloads.Count;

    internal bool TryTakeNextDownload(out (DownloadFailure Kind, int Status) failure) => _nextDownloads.TryDequeue(out failure);

    public void Reset()
    {
        Down = false; DownDropsConnections = false; LatencyMs = 0; ErrorRate = 0; ErrorStatus = 500;
        _next.Clear();
        FilesDown = false; FilesDownDropsConnections = false; FilesErrorStatus = 503; FilesLatencyMs = 0; FilesExpired = false;
        _nextDownloads.Clear();
    }
}

/// <summary>The simulator's in-memory RTK world, plus the hooks tests and developers use to drive it.</summary>
public sealed class RtkSimulatorState
{
    internal readonly Lock Gate = new();
    internal readonly Dictionary<string, SimApp> Apps = [];
    internal readonly Dictionary<string, (string App, string Meeting, string Participant)> Tokens = [];
    internal readonly Dictionary<string, SimFile> Files = [];
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly ConcurrentQueue<WebhookDeliveryAttempt> _deliveries = new();
    private readonly ConcurrentQueue<RecordedDownload> _downloads = new();
    private readonly List<string> _accountWebhookUrls = [];

    internal RtkSimulatorState(RtkSimulatorOptions options, WebhookDispatcher dispatcher)
    {
        Options = options;
        Dispatcher = dispatcher;
        Time = options.TimeProvider;
        Random = options.RandomSeed is int seed ? new Random(seed) : new Random();
    }

    internal RtkSimulatorOptions Options { get; }
    internal WebhookDispatcher Dispatcher { get; }
    internal TimeProvider Time { get; }
    internal Random Random { get; }

    /// <summary>Server root such as http://127.0.0.1:5123 (no trailing slash); set once listening.</summary>
    public string ServerUrl { get; internal set; } = "";

    public SimulatorFaults Faults { get; } = new();

    /// <summary>REST requests received, oldest first.</summary>
    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    public void ClearRequests() => _requests.Clear();

    /// <summary>Webhook delivery attempts made, oldest first.</summary>
    public IReadOnlyList<WebhookDeliveryAttempt> Deliveries => [.. _deliveries];

    public void ClearDeliveries() => _deliveries.Clear();

    /// <summary>Artefact download requests and their outcome, oldest first.</summary>
    public IReadOnlyList<RecordedDownload> Downloads => [.. _downloads];

    public void ClearDownloads() => _downloads.Clear();

    internal void Record(RecordedRequest request) => _requests.Enqueue(request);
    internal void Record(RecordedDownload download) => _downloads.Enqueue(download);
    internal void Record(WebhookDeliveryAttempt attempt) => _deliveries.Enqueue(attempt);

    /// <summary>Waits until the delivery log satisfies <paramref name="until"/>, polling briefly.</summary>
    public async Task<IReadOnlyList<WebhookDeliveryAttempt>> WaitForDeliveriesAsync(
        Func<IReadOnlyList<WebhookDeliveryAttempt>, bool> until, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var current = Deliveries;
            if (until(current)) return current;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Webhook deliveries did not arrive in time ({current.Count} so far).");
            await Task.Delay(20, cancellationToken);
        }
    }

    /// <summary>Hold deliveries in the queue (to build a batch for reordering or duplicates).</summary>
    public void PauseWebhookDelivery() => Dispatcher.Pause();

    /// <summary>Send what is queued (newest first when reordering) and continue.</summary>
    public void ResumeWebhookDelivery() => Dispatcher.Resume();

    internal DateTimeOffset Now => Time.GetUtcNow();

    internal static string NewId() => Guid.CreateVersion7().ToString();

    internal static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    internal static string? Iso(DateTimeOffset? t) => t is { } v ? Iso(v) : null;

    internal string FileUrl(SimFile file) => $"{ServerUrl}/__sim/files/{file.Id}/{Uri.EscapeDataString(file.FileName)}";

    // ---- Apps and account-wide webhooks

    /// <summary>Creates an app (as the dashboard or POST /apps would) and returns its id.</summary>
    public string CreateApp(string name, string? id = null)
    {
        lock (Gate) return AddApp(name, id).Id;
    }

    internal SimApp AddApp(string name, string? id = null)
    {
        var app = new SimApp { Id = id ?? NewId(), Name = name, CreatedAt = Now };
        Apps.Add(app.Id, app);
        foreach (var url in _accountWebhookUrls) AddAccountWebhook(app, url);
        return app;
    }

    /// <summary>
    /// Subscribes <paramref name="url"/> to every event of every app, present and future — what an
    /// operator would set up in the dashboard. Standalone Castio registers its /webhooks/rtk here.
    /// </summary>
    public void RegisterAccountWebhook(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out _)) throw new SimulatorException(400, "url must be an absolute URL");
        lock (Gate)
        {
            if (_accountWebhookUrls.Contains(url)) return;
            _accountWebhookUrls.Add(url);
            foreach (var app in Apps.Values) AddAccountWebhook(app, url);
        }
    }

    private void AddAccountWebhook(SimApp app, string url)
    {
        var webhook = new SimWebhook { Id = NewId(), Name = "castio", Url = url, Events = [.. WebhookPayloads.AllEvents], CreatedAt = Now, UpdatedAt = Now };
        app.Webhooks.Add(webhook.Id, webhook);
    }

    internal SimApp App(string appId) =>
        Apps.TryGetValue(appId, out var app) ? app : throw new SimulatorException(404, $"No app found with id {appId}");

    // ---- Participants and tokens

    internal string IssueToken(SimApp app, SimMeeting meeting, SimParticipant participant)
    {
        // Opaque to clients, like RTK's; refresh adds a token and keeps older ones working (UNVERIFIED in RTK).
        var token = "simtok." + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        Tokens[token] = (app.Id, meeting.Id, participant.Id);
        return token;
    }

    // ---- Sessions: join, leave, end

    /// <summary>Joins with a participant token as the client SDK would, since RTK has no REST join. Starts a session if none is live.</summary>
    public SimulatedJoin Join(string token, string? displayName = null)
    {
        lock (Gate)
        {
            if (string.IsNullOrEmpty(token) || !Tokens.TryGetValue(token, out var t)) throw new SimulatorException(401, "Invalid participant token");
            var app = App(t.App);
            if (!app.Meetings.TryGetValue(t.Meeting, out var meeting)) throw new SimulatorException(404, $"No meeting found with id {t.Meeting}");
            if (!meeting.Participants.TryGetValue(t.Participant, out var participant)) throw new SimulatorException(401, "Participant no longer exists");
            if (meeting.Status != "ACTIVE") throw new SimulatorException(403, $"Meeting {meeting.Id} is INACTIVE");

            var session = LiveSession(app, meeting.Id);
            var started = session is null;
            if (session is null)
            {
                session = new SimSession { Id = NewId(), MeetingId = meeting.Id, Title = meeting.Title ?? "", CreatedAt = Now, StartedAt = Now, UpdatedAt = Now };
                app.Sessions.Add(session.Id, session);
                Emit(app, WebhookPayloads.MeetingStarted(this, app, session));
            }
            // RTK continues the same session when someone rejoins within the keep-alive.
            session.EndTimer?.Dispose();
            session.EndTimer = null;
            var peer = new SimPeer
            {
                Id = NewId(), ParticipantId = participant.Id, CustomParticipantId = participant.CustomParticipantId,
                DisplayName = displayName ?? participant.Name ?? participant.CustomParticipantId, PresetName = participant.PresetName, JoinedAt = Now,
            };
            session.Peers.Add(peer);
            session.MaxConcurrent = Math.Max(session.MaxConcurrent, session.LivePeers);
            session.UpdatedAt = Now;
            Emit(app, WebhookPayloads.ParticipantEvent(this, app, session, peer, joined: true));
            if (started && meeting.RecordOnStart) StartRecordingCore(app, meeting, session, "RECORD_ON_START", null, bucketEnabled: true);
            return new SimulatedJoin(peer.Id, session.Id, participant.Id, meeting.Id, app.Id, started);
        }
    }

    /// <summary>The peer leaves; when it was the last one the session ends after the keep-alive.</summary>
    public void Leave(string peerId)
    {
        lock (Gate)
        {
            var (app, session, peer) = FindPeer(peerId);
            if (peer.LeftAt is not null) throw new SimulatorException(400, $"Peer {peerId} already left");
            LeaveCore(app, session, peer);
            if (session.LivePeers == 0) ScheduleEnd(app, session);
        }
    }

    private (SimApp, SimSession, SimPeer) FindPeer(string peerId)
    {
        foreach (var app in Apps.Values)
            foreach (var session in app.Sessions.Values)
                foreach (var peer in session.Peers)
                    if (peer.Id == peerId) return (app, session, peer);
        throw new SimulatorException(404, $"No peer found with id {peerId}");
    }

    internal void LeaveCore(SimApp app, SimSession session, SimPeer peer)
    {
        peer.LeftAt = Now;
        session.UpdatedAt = Now;
        Emit(app, WebhookPayloads.ParticipantEvent(this, app, session, peer, joined: false));
    }

    internal void ScheduleEnd(SimApp app, SimSession session)
    {
        var meeting = app.Meetings[session.MeetingId];
        var keepAlive = Options.KeepAliveOverride ?? TimeSpan.FromSeconds(meeting.SessionKeepAliveTimeInSecs);
        if (keepAlive <= TimeSpan.Zero)
        {
            EndCore(app, session, "ALL_PARTICIPANTS_LEFT");
            return;
        }
        session.EndTimer?.Dispose();
        session.EndTimer = Time.CreateTimer(_ =>
        {
            lock (Gate)
            {
                if (session.Status == "LIVE" && session.LivePeers == 0) EndCore(app, session, "ALL_PARTICIPANTS_LEFT");
            }
        }, null, keepAlive, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Ends a live session now: remaining peers leave, recordings stop, <c>meeting.ended</c> fires.</summary>
    public void EndSession(string sessionId, string reason = "ALL_PARTICIPANTS_LEFT")
    {
        if (reason is not ("ALL_PARTICIPANTS_LEFT" or "HOST_ENDED_MEETING")) throw new SimulatorException(400, "reason must be ALL_PARTICIPANTS_LEFT or HOST_ENDED_MEETING");
        lock (Gate)
        {
            var (app, session) = FindSession(sessionId);
            if (session.Status != "LIVE") throw new SimulatorException(400, $"Session {sessionId} is not LIVE");
            EndCore(app, session, reason);
        }
    }

    internal (SimApp, SimSession) FindSession(string sessionId)
    {
        foreach (var app in Apps.Values)
            if (app.Sessions.TryGetValue(sessionId, out var session)) return (app, session);
        throw new SimulatorException(404, $"No session found with id {sessionId}");
    }

    internal void EndCore(SimApp app, SimSession session, string reason)
    {
        foreach (var peer in session.Peers.Where(p => p.LeftAt is null).ToList()) LeaveCore(app, session, peer);
        session.EndTimer?.Dispose();
        session.EndTimer = null;
        foreach (var recording in app.Recordings.Values.Where(r => r.SessionId == session.Id && r.IsActive).ToList())
            StopRecordingCore(app, recording, "ALL_PEERS_LEFT");
        foreach (var stream in app.Livestreams.Values.Where(l => l.MeetingId == session.MeetingId && l.Status == "LIVE").ToList())
            StopLivestreamCore(app, stream);
        session.Status = "ENDED";
        session.EndedAt = Now;
        session.UpdatedAt = Now;
        Emit(app, WebhookPayloads.MeetingEnded(this, app, session, reason));
        if (Options.ProduceArtefactsOnEnd)
        {
            var meeting = app.Meetings[session.MeetingId];
            var transcript = meeting.TranscribeOnEnd;
            ArtefactsCore(app, session, chat: true, transcript, summary: transcript && meeting.SummarizeOnEnd);
        }
    }

    internal static SimSession? LiveSession(SimApp app, string meetingId) =>
        app.Sessions.Values.FirstOrDefault(s => s.MeetingId == meetingId && s.Status == "LIVE");

    // ---- Artefacts

    /// <summary>Makes the chat export, transcript and/or summary of an ended session available and fires their webhooks.</summary>
    public void ProduceArtefacts(string sessionId, bool chat = true, bool transcript = true, bool summary = true)
    {
        lock (Gate)
        {
            var (app, session) = FindSession(sessionId);
            if (session.Status != "ENDED") throw new SimulatorException(400, $"Session {sessionId} has not ended");
            if (summary && !transcript && session.Transcript is null) throw new SimulatorException(400, "A summary needs a transcript");
            ArtefactsCore(app, session, chat, transcript, summary);
        }
    }

    internal void ProduceArtefactsLocked(SimSession session, bool chat, bool transcript, bool summary)
    {
        var (app, _) = FindSession(session.Id);
        ArtefactsCore(app, session, chat, transcript, summary);
    }

    private void ArtefactsCore(SimApp app, SimSession session, bool chat, bool transcript, bool summary)
    {
        var expiry = (session.EndedAt ?? Now).AddDays(7);
        var peers = session.Peers;
        if (chat)
        {
            var csv = new StringBuilder("id,participantId,sessionId,meetingId,displayName,pinned,isEdited,payloadType,payload,createdAt\n");
            foreach (var peer in peers)
                csv.Append(CultureInfo.InvariantCulture, $"{NewId()},{peer.ParticipantId},{session.Id},{session.MeetingId},{Csv(peer.DisplayName)},false,false,TEXT_MESSAGE,{Csv("Hello from " + peer.DisplayName)},{Iso(peer.JoinedAt)}\n");
            session.Chat = AddFile("text/csv", $"{session.Id}_chat.csv", csv.ToString(), expiry);
            Emit(app, WebhookPayloads.ChatSynced(this, app, session));
        }
        if (transcript)
        {
            var csv = new StringBuilder();
            var offset = 0;
            foreach (var peer in peers)
            {
                csv.Append(CultureInfo.InvariantCulture, $"{offset},{peer.Id},{peer.ParticipantId},{peer.CustomParticipantId},{Csv(peer.DisplayName)},{Csv("Hello from " + peer.DisplayName)}\n");
                offset += 1500;
            }
            session.Transcript = AddFile("text/csv", $"{session.Id}_transcript.csv", csv.ToString(), expiry);
            Emit(app, WebhookPayloads.Transcript(this, app, session));
        }
        if (summary)
        {
            var text = $"# Summary\n\n## Key Discussion Points\n- {peers.Count} peer(s) met in \"{session.Title}\".\n\n## Action Items\n- None.\n\n## Decisions\n- None.\n";
            session.Summary = AddFile("text/markdown", $"{session.Id}_summary.md", text, expiry);
            session.SummaryStatus = "COMPLETED";
            Emit(app, WebhookPayloads.Summary(this, app, session));
        }
    }

    internal SimFile AddFile(string contentType, string fileName, string content, DateTimeOffset expiry)
    {
        var file = new SimFile(NewId(), contentType, fileName, Encoding.UTF8.GetBytes(content), expiry);
        Files[file.Id] = file;
        return file;
    }

    private static string Csv(string value) => value.Contains(',') || value.Contains('"') ? $"\"{value.Replace("\"", "\"\"")}\"" : value;

    // ---- Recordings

    internal SimRecording StartRecordingCore(SimApp app, SimMeeting meeting, SimSession session, string reason, string? prefix, bool bucketEnabled, JsonObject? storage = null)
    {
        var stamp = Now.ToUnixTimeMilliseconds();
        var recording = new SimRecording
        {
            Id = NewId(), MeetingId = meeting.Id, SessionId = session.Id, InvokedTime = Now, StartReason = reason,
            OutputFileName = $"{(string.IsNullOrEmpty(prefix) ? "" : prefix + "_")}{meeting.Id}_{stamp}.mp4",
            BucketEnabled = bucketEnabled, StorageConfig = storage,
        };
        app.Recordings.Add(recording.Id, recording);
        if (Options.AutoAdvanceRecordings) AdvanceCore(app, recording, "RECORDING");
        return recording;
    }

    internal void StopRecordingCore(SimApp app, SimRecording recording, string reason)
    {
        recording.StopReason = reason;
        AdvanceCore(app, recording, "UPLOADING");
        if (Options.AutoAdvanceRecordings) AdvanceCore(app, recording, "UPLOADED");
    }

    /// <summary>
    /// Moves a recording on: INVOKED → RECORDING → UPLOADING → UPLOADED (PAUSED → UPLOADING), or to
    /// <paramref name="toStatus"/> (e.g. ERRORED). Returns the new status.
    /// </summary>
    public string AdvanceRecording(string recordingId, string? toStatus = null)
    {
        lock (Gate)
        {
            foreach (var app in Apps.Values)
            {
                if (!app.Recordings.TryGetValue(recordingId, out var recording)) continue;
                var next = toStatus ?? recording.Status switch
                {
                    "INVOKED" => "RECORDING",
                    "RECORDING" or "PAUSED" => "UPLOADING",
                    "UPLOADING" => "UPLOADED",
                    _ => throw new SimulatorException(400, $"Recording {recordingId} is {recording.Status} and cannot advance"),
                };
                if (next is not ("RECORDING" or "PAUSED" or "UPLOADING" or "UPLOADED" or "ERRORED"))
                    throw new SimulatorException(400, $"Unknown recording status {next}");
                if (next == "UPLOADING" && recording.StopReason is null) recording.StopReason = "API_CALL";
                AdvanceCore(app, recording, next);
                return recording.Status;
            }
        }
        throw new SimulatorException(404, $"No recording found with id {recordingId}");
    }

    internal void AdvanceCore(SimApp app, SimRecording recording, string status)
    {
        recording.Status = status;
        switch (status)
        {
            case "RECORDING":
                recording.StartedTime ??= Now;
                break;
            case "UPLOADING":
                recording.StoppedTime ??= Now;
                break;
            case "UPLOADED":
                recording.StoppedTime ??= Now;
                recording.FileSize = 2044680;
                if (recording.BucketEnabled)
                {
                    var expiry = Now.AddDays(7);
                    var video = AddFile("video/mp4", recording.OutputFileName, "simulated mp4 " + recording.Id, expiry);
                    var audio = AddFile("audio/aac", Path.ChangeExtension(recording.OutputFileName, ".aac"), "simulated aac " + recording.Id, expiry);
                    recording.DownloadUrl = FileUrl(video);
                    recording.AudioDownloadUrl = FileUrl(audio);
                    recording.DownloadUrlExpiry = expiry;
                }
                break;
        }
        // RTK documents webhooks for RECORDING, UPLOADING, UPLOADED and ERRORED only (INVOKED, PAUSED: UNVERIFIED).
        if (status is "RECORDING" or "UPLOADING" or "UPLOADED" or "ERRORED")
            Emit(app, WebhookPayloads.RecordingStatus(this, app, recording));
    }

    // ---- Livestreams

    internal void StopLivestreamCore(SimApp app, SimLivestream stream)
    {
        stream.Status = "OFFLINE";
        stream.UpdatedAt = Now;
        Emit(app, WebhookPayloads.Livestream(this, app, stream));
    }

    // ---- Webhooks

    internal void Emit(SimApp app, JsonObject payload)
    {
        var eventName = (string)payload["event"]!;
        var body = Encoding.UTF8.GetBytes(payload.ToJsonString());
        foreach (var webhook in app.Webhooks.Values)
        {
            if (!webhook.Enabled || !webhook.Events.Contains(eventName)) continue;
            Dispatcher.Enqueue(new PendingDelivery(NewId(), webhook.Id, eventName, webhook.Url, body, 1));
        }
    }
}
