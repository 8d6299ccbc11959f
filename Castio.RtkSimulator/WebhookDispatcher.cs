using System.Security.Cryptography;
using System.Threading.Channels;

namespace Castio.RtkSimulator;

internal sealed record PendingDelivery(string DeliveryId, string WebhookId, string Event, string Url, byte[] Body, int Attempt);

/// <summary>
/// Sends webhooks like RTK (docs/realtimekit.md, Webhooks): RSA-SHA256 PKCS#1 v1.5 over the exact body bytes,
/// <c>rtk-signature</c>/<c>rtk-uuid</c>/<c>rtk-webhook-id</c>; retries only on 5xx and network errors,
/// with the same rtk-uuid (UNVERIFIED in RTK); optionally duplicates or reorders.
/// </summary>
internal sealed class WebhookDispatcher : IAsyncDisposable
{
    // One key per process: generating RSA-2048 is slow, and simulators in one test run may share it.
    private static readonly Lazy<RSA> ProcessKey = new(() => RSA.Create(2048));
    private readonly Channel<PendingDelivery> _queue = Channel.CreateUnbounded<PendingDelivery>();
    private readonly RtkSimulatorOptions _options;
    private readonly RSA _key;
    private readonly HttpClient _http;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _pauseGate = new();
    private TaskCompletionSource _resumed = CreateResumed();
    private Task? _loop;

    public WebhookDispatcher(RtkSimulatorOptions options)
    {
        _options = options;
        _key = options.WebhookSigningKey ?? ProcessKey.Value;
        // RTK counts 3xx as failure, so redirects are not followed.
        _http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = options.WebhookTimeout };
    }

    public RtkSimulatorState State { get; set; } = null!;

    public string PublicKeyPem => _key.ExportSubjectPublicKeyInfoPem();

    public void Start() => _loop = Task.Run(RunAsync);

    public void Enqueue(PendingDelivery delivery) => _queue.Writer.TryWrite(delivery);

    public void Pause()
    {
        lock (_pauseGate) if (_resumed.Task.IsCompleted) _resumed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public void Resume()
    {
        lock (_pauseGate) _resumed.TrySetResult();
    }

    private static TaskCompletionSource CreateResumed()
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        tcs.SetResult();
        return tcs;
    }

    public byte[] Sign(byte[] body) => _key.SignData(body, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

    private async Task RunAsync()
    {
        var token = _stop.Token;
        try
        {
            while (await _queue.Reader.WaitToReadAsync(token))
            {
                Task resumed;
                lock (_pauseGate) resumed = _resumed.Task;
                await resumed.WaitAsync(token);
                var batch = new List<PendingDelivery>();
                while (_queue.Reader.TryRead(out var d)) batch.Add(d);
                if (_options.ReorderDeliveries) batch.Reverse();
                foreach (var delivery in batch)
                {
                    await SendAsync(delivery, token);
                    if (_options.DuplicateDeliveries && delivery.Attempt == 1) await SendAsync(delivery with { Attempt = 0 }, token);
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
    }

    private async Task SendAsync(PendingDelivery delivery, CancellationToken token)
    {
        var signature = Convert.ToBase64String(Sign(delivery.Body));
        int? status = null;
        string? error = null;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Url) { Content = new ByteArrayContent(delivery.Body) };
            request.Content.Headers.ContentType = new("application/json");
            request.Headers.TryAddWithoutValidation("rtk-signature", signature);
            request.Headers.TryAddWithoutValidation("rtk-uuid", delivery.DeliveryId);
            request.Headers.TryAddWithoutValidation("rtk-webhook-id", delivery.WebhookId);
            using var response = await _http.SendAsync(request, token);
            status = (int)response.StatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !token.IsCancellationRequested)
        {
            error = ex.GetType().Name;
        }
        finally
        {
        }

        State.Record(new WebhookDeliveryAttempt(delivery.DeliveryId, delivery.WebhookId, delivery.Event, delivery.Url,
            delivery.Attempt == 0 ? 1 : delivery.Attempt, status, error, System.Text.Encoding.UTF8.GetString(delivery.Body), signature, State.Now));

        // RTK retries only 5xx and network failures, never 4xx; the duplicate copy is never retried.
        var retry = (status is >= 500 || error is not null) && delivery.Attempt >= 1 && delivery.Attempt < _options.WebhookMaxAttempts;
        if (!retry) return;
        var next = delivery with { Attempt = delivery.Attempt + 1 };
        _ = Task.Run(async () =>
        {
            try
            {
                await Task.Delay(_options.WebhookRetryDelay, _options.TimeProvider, token);
                Enqueue(next);
            }
            catch (OperationCanceledException)
            {
            }
        }, CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _queue.Writer.TryComplete();
        if (_loop is not null)
        {
            try { await _loop; } catch (OperationCanceledException) { }
        }
        _http.Dispose();
        _stop.Dispose();
    }
}
