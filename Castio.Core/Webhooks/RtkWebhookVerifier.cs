using System.Security.Cryptography;
using System.Text.Json;
using Castio.Core.Rtk;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Castio.Core.Webhooks;

/// <summary>Stable problem codes of webhook verification.</summary>
public static class RtkWebhookProblemCodes
{
    public const string SignatureMissing = "rtk_signature_missing";
    public const string SignatureInvalid = "rtk_signature_invalid";
    public const string DeliveryIdMissing = "rtk_delivery_id_missing";
    public const string BodyTooLarge = "rtk_webhook_body_too_large";
    public const string KeyUnavailable = "rtk_webhook_key_unavailable";
}

/// <summary>Outcome of verifying one delivery; a failure carries the HTTP status and problem code to answer with.</summary>
public sealed record RtkWebhookVerification(bool IsValid, int StatusCode, string? ProblemCode, string? Detail)
{
    public static RtkWebhookVerification Valid { get; } = new(true, StatusCodes.Status200OK, null, null);

    internal static RtkWebhookVerification Fail(int status, string code, string detail) => new(false, status, code, detail);

    /// <summary>An RFC 9457 problem with the stable <c>code</c> extension member.</summary>
    public ProblemDetails ToProblemDetails()
    {
        var problem = new ProblemDetails
        {
            Status = StatusCode,
            Title = StatusCode switch { 400 => "Bad webhook request", 401 => "Webhook signature rejected", 413 => "Webhook body too large", _ => "Webhook cannot be verified now" },
            Detail = Detail,
        };
        problem.Extensions["code"] = ProblemCode;
        return problem;
    }
}

/// <summary>A delivery read from an HTTP request: raw body bytes plus the RTK delivery headers.</summary>
public sealed record RtkWebhookDelivery(RtkWebhookVerification Verification, ReadOnlyMemory<byte> Body, string? DeliveryId, string? WebhookId);

/// <summary>
/// Verifies RTK webhook signatures: RSA PKCS#1 v1.5 with SHA-256 over the raw body (not an HMAC),
/// base64 in <c>rtk-signature</c>, against the PEM key published at <see cref="RtkOptions.WebhookPublicKeyUrl"/>.
/// The key is cached; a failed verification refetches it once (rotation), at most once per cooldown.
/// </summary>
public sealed partial class RtkWebhookVerifier
{
    public const string SignatureHeader = "rtk-signature";
    public const string DeliveryIdHeader = "rtk-uuid";
    public const string WebhookIdHeader = "rtk-webhook-id";

    private readonly HttpClient _http;
    private readonly RtkOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _fetchLock = new(1, 1);
    private KeyEntry? _key;
    private DateTimeOffset _lastForcedFetch = DateTimeOffset.MinValue;

    public RtkWebhookVerifier(HttpClient http, IOptions<RtkOptions> options, TimeProvider time, ILogger<RtkWebhookVerifier> logger)
    {
        _http = http;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    /// <summary>Reads the raw body (bounded) and the delivery headers, then verifies before anything parses the body.</summary>
    public async Task<RtkWebhookDelivery> ReadAndVerifyAsync(HttpRequest request, CancellationToken cancellationToken = default)
    {
        string? Header(string name) => request.Headers.TryGetValue(name, out var v) ? v.ToString() : null;
        var signature = Header(SignatureHeader);
        var deliveryId = Header(DeliveryIdHeader);
        var webhookId = Header(WebhookIdHeader);
        if (string.IsNullOrWhiteSpace(signature))
            return new(RtkWebhookVerification.Fail(400, RtkWebhookProblemCodes.SignatureMissing, $"The {SignatureHeader} header is missing."), default, deliveryId, webhookId);

        var max = _options.WebhookMaxBodyBytes;
        if (request.ContentLength > max)
            return new(TooLarge(max), default, deliveryId, webhookId);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > max) return new(TooLarge(max), default, deliveryId, webhookId);
            buffer.Write(chunk, 0, read);
        }
        var body = buffer.ToArray();

        var verification = await VerifyAsync(signature, body, cancellationToken);
        if (verification.IsValid && string.IsNullOrWhiteSpace(deliveryId))
            verification = RtkWebhookVerification.Fail(400, RtkWebhookProblemCodes.DeliveryIdMissing, $"The {DeliveryIdHeader} header is missing.");
        return new(verification, body, deliveryId, webhookId);
    }

    /// <summary>Verifies <paramref name="signature"/> (the <c>rtk-signature</c> value) over the exact body bytes.</summary>
    public async Task<RtkWebhookVerification> VerifyAsync(string? signature, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(signature))
            return RtkWebhookVerification.Fail(400, RtkWebhookProblemCodes.SignatureMissing, $"The {SignatureHeader} header is missing.");

        var signatureBytes = new byte[(signature.Length * 3 / 4) + 3];
        if (!Convert.TryFromBase64String(signature.Trim(), signatureBytes, out var signatureLength))
            return Invalid();
        signatureBytes = signatureBytes[..signatureLength];

        KeyEntry key;
        try
        {
            key = await GetKeyAsync(force: false, cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or CryptographicException or InvalidOperationException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            LogKeyFetchFailed(_logger, ex);
            // RTK retries 5xx but never 4xx, so a 503 gets the delivery again once the key can be fetched.
            return RtkWebhookVerification.Fail(503, RtkWebhookProblemCodes.KeyUnavailable, "The RTK webhook public key cannot be fetched right now.");
        }

        if (Verify(key, body.Span, signatureBytes)) return RtkWebhookVerification.Valid;

        // The key may have rotated: refetch once, but not more often than the cooldown allows.
        var refreshed = await TryRefetchAsync(key, cancellationToken);
        if (refreshed is not null && Verify(refreshed, body.Span, signatureBytes)) return RtkWebhookVerification.Valid;

        LogSignatureRejected(_logger, body.Length);
        return Invalid();
    }

    private static RtkWebhookVerification Invalid() =>
        RtkWebhookVerification.Fail(401, RtkWebhookProblemCodes.SignatureInvalid, "The webhook signature does not match the body.");

    private static RtkWebhookVerification TooLarge(int max) =>
        RtkWebhookVerification.Fail(413, RtkWebhookProblemCodes.BodyTooLarge, $"Webhook bodies are limited to {max} bytes.");

    private static bool Verify(KeyEntry key, ReadOnlySpan<byte> body, byte[] signature) => key.Verify(body, signature);

    private async Task<KeyEntry?> TryRefetchAsync(KeyEntry used, CancellationToken cancellationToken)
    {
        await _fetchLock.WaitAsync(cancellationToken);
        try
        {
            // Someone else already replaced the key we failed with: try theirs.
            if (_key is not null && !ReferenceEquals(_key, used)) return _key;
            var now = _time.GetUtcNow();
            if (now - _lastForcedFetch < _options.WebhookPublicKeyRefetchCooldown) return null;
            _lastForcedFetch = now;
            try
            {
                _key = await FetchAsync(cancellationToken);
                return _key.SubjectPublicKeyInfo.AsSpan().SequenceEqual(used.SubjectPublicKeyInfo) ? null : _key;
            }
            catch (Exception ex) when (ex is HttpRequestException or JsonException or CryptographicException or InvalidOperationException)
            {
                LogKeyFetchFailed(_logger, ex);
                return null;
            }
        }
        finally
        {
            _fetchLock.Release();
        }
    }

    private async Task<KeyEntry> GetKeyAsync(bool force, CancellationToken cancellationToken)
    {
        var current = _key;
        if (!force && current is not null && _time.GetUtcNow() - current.FetchedAt < _options.WebhookPublicKeyCacheDuration) return current;
        await _fetchLock.WaitAsync(cancellationToken);
        try
        {
            current = _key;
            if (!force && current is not null && _time.GetUtcNow() - current.FetchedAt < _options.WebhookPublicKeyCacheDuration) return current;
            _key = await FetchAsync(cancellationToken);
            return _key;
        }
        finally
        {
            _fetchLock.Release();
        }
    }

    /// <summary>GET the well-known document: <c>{ "success": true, "data": { "publicKey": "-----BEGIN PUBLIC KEY-----..." } }</c>.</summary>
    private async Task<KeyEntry> FetchAsync(CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(_options.WebhookPublicKeyUrl, cancellationToken);
        response.EnsureSuccessStatusCode();
        using var doc = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
        if (!doc.RootElement.TryGetProperty("data", out var data) || !data.TryGetProperty("publicKey", out var pemElement)
            || pemElement.GetString() is not { Length: > 0 } pem)
            throw new InvalidOperationException("The webhook key document has no data.publicKey.");
        using var rsa = RSA.Create();
        rsa.ImportFromPem(pem);
        LogKeyFetched(_logger);
        return new KeyEntry(rsa.ExportSubjectPublicKeyInfo(), _time.GetUtcNow());
    }

    private sealed record KeyEntry(byte[] SubjectPublicKeyInfo, DateTimeOffset FetchedAt)
    {
        // Importing the key costs more than checking a signature: imported keys are reused, one caller at a time each.
        private readonly System.Collections.Concurrent.ConcurrentBag<RSA> _imported = [];

        public bool Verify(ReadOnlySpan<byte> body, byte[] signature)
        {
            if (!_imported.TryTake(out var rsa))
            {
                rsa = RSA.Create();
                rsa.ImportSubjectPublicKeyInfo(SubjectPublicKeyInfo, out _);
            }

            try
            {
                return rsa.VerifyData(body, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            }
            finally
            {
                _imported.Add(rsa);
            }
        }
    }

    [LoggerMessage(EventId = 1201, EventName = "RtkWebhookKeyFetched", Level = LogLevel.Information, Message = "Fetched the RTK webhook public key")]
    private static partial void LogKeyFetched(ILogger logger);

    [LoggerMessage(EventId = 1202, EventName = "RtkWebhookKeyFetchFailed", Level = LogLevel.Error, Message = "Could not fetch the RTK webhook public key")]
    private static partial void LogKeyFetchFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1203, EventName = "RtkWebhookSignatureRejected", Level = LogLevel.Warning, Message = "Rejected an RTK webhook with a bad signature ({Length} bytes)")]
    private static partial void LogSignatureRejected(ILogger logger, int length);
}
