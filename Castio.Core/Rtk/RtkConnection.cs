using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Castio.Core.Observability;
using Microsoft.Extensions.Logging;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Castio.Core.Rtk;

/// <summary>
/// The one path every area client takes to RTK: auth header, resilience pipelines, envelope parsing and
/// failure → <see cref="RtkException"/> mapping. Anything to do once per RTK call (telemetry) goes here.
/// </summary>
internal sealed partial class RtkConnection
{
    private const int MaxErrorBodyChars = 2000;
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    private readonly HttpClient _http;
    private readonly RtkOptions _options;
    private readonly RtkResilience _resilience;
    private readonly ILogger _logger;
    private readonly Uri _base;

    public RtkConnection(HttpClient http, RtkOptions options, RtkResilience resilience, ILogger logger)
    {
        _http = http;
        _options = options;
        _resilience = resilience;
        _logger = logger;
        _base = new Uri(_options.BaseUrl.TrimEnd('/') + "/");
    }

    public string AccountId => _options.AccountId;

    public Task<RtkEnvelope<T>> GetAsync<T>(string path, JsonTypeInfo<RtkEnvelope<T>> typeInfo, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, path, null, typeInfo, idempotent: true, cancellationToken);

    public async Task<RtkEnvelope<T>> SendAsync<T>(HttpMethod method, string path, byte[]? body, JsonTypeInfo<RtkEnvelope<T>> typeInfo, bool idempotent, CancellationToken cancellationToken)
    {
        // One span and one log line per call (all attempts): duration, status, and RTK's error body on failure.
        using var call = RtkCall.Start(method, Redact(path), _logger);
        if (!_options.IsConfigured())
        {
            call.Unavailable("not configured");
            throw new RtkUnavailableException("RealtimeKit is not configured: set Rtk:AccountId and Rtk:ApiToken.");
        }

        var uri = new Uri(_base, path);
        var pipeline = idempotent ? _resilience.Safe : _resilience.Unsafe;
        HttpResponseMessage response;
        try
        {
            response = await pipeline.ExecuteAsync(async token =>
            {
                // A request message cannot be sent twice, so each attempt builds its own.
                using var request = new HttpRequestMessage(method, uri);
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _options.ApiToken);
                if (body is not null)
                {
                    request.Content = new ByteArrayContent(body);
                    request.Content.Headers.ContentType = Json;
                }
                return await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, token);
            }, cancellationToken);
        }
        catch (BrokenCircuitException ex)
        {
            call.Unavailable("circuit open");
            throw new RtkUnavailableException("RTK is unavailable: the circuit is open after repeated failures.", inner: ex, retryAfter: ex.RetryAfter);
        }
        catch (TimeoutRejectedException ex)
        {
            call.Unavailable("timeout");
            throw new RtkUnavailableException("RTK did not answer in time.", inner: ex);
        }
        catch (HttpRequestException ex)
        {
            call.Unavailable("network error");
            throw new RtkUnavailableException("RTK could not be reached.", inner: ex);
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode) throw await ToExceptionAsync(call, response, cancellationToken);
            call.Answered((int)response.StatusCode);
            RtkEnvelope<T>? envelope;
            try
            {
                envelope = await JsonSerializer.DeserializeAsync(await response.Content.ReadAsStreamAsync(cancellationToken), typeInfo, cancellationToken);
            }
            catch (JsonException ex)
            {
                throw new RtkException("RTK answered with a body that is not the expected JSON.", response.StatusCode, null, isUnavailable: false, ex);
            }
            return envelope ?? throw new RtkException("RTK answered with an empty body.", response.StatusCode, null, isUnavailable: false);
        }
    }

    private async Task<RtkException> ToExceptionAsync(RtkCall call, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        var (code, message) = ParseError(text);
        var status = response.StatusCode;
        message ??= $"RTK answered {(int)status} {response.ReasonPhrase}";
        call.Answered((int)status, text);
        var unavailable = (int)status >= 500 || status is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout;
        return unavailable
            ? new RtkUnavailableException(message, status, code, retryAfter: _resilience.RetryAfterOf(response))
            : new RtkException(message, status, code, isUnavailable: false);
    }

    /// <summary>Reads <c>{"error":{code,message}}</c> (RTK) or <c>{"errors":[{code,message}]}</c> (Cloudflare gateway).</summary>
    internal static (int? Code, string? Message) ParseError(string text)
    {
        if (string.IsNullOrWhiteSpace(text)) return (null, null);
        if (text.Length > MaxErrorBodyChars) text = text[..MaxErrorBodyChars];
        try
        {
            using var doc = JsonDocument.Parse(text);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return (null, null);
            if (root.TryGetProperty("error", out var error))
            {
                if (error.ValueKind == JsonValueKind.Object) return (IntOf(error, "code"), StringOf(error, "message"));
                if (error.ValueKind == JsonValueKind.String) return (null, error.GetString());
            }
            if (root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array && errors.GetArrayLength() > 0
                && errors[0].ValueKind == JsonValueKind.Object)
                return (IntOf(errors[0], "code"), StringOf(errors[0], "message"));
            return (null, StringOf(root, "message"));
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }

    private static int? IntOf(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) ? i : null;

    private static string? StringOf(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    // Paths carry ids only; the query may carry search text, which stays out of logs.
    private static string Redact(string path) => path.Split('?', 2)[0];
}
