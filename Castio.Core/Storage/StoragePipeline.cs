using System.Text.Json;
using System.Xml.Linq;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Castio.Core.Storage;

/// <summary>How a service client authenticates: an account key, a SAS, or a token credential.</summary>
internal sealed record StorageCredential(string AccountName, byte[]? AccountKey, string? Sas, TokenCredential? Token)
{
    public const string Scope = "https://storage.azure.com/.default";
}

internal enum StorageService { Blob, Queue, Table }

/// <summary>One Azure.Core pipeline per service client, with the right auth policy and error parsing.</summary>
internal sealed class StoragePipeline
{
    // Spec §2: Blob/Queue 2024-11-04 keeps the 24-line user-delegation SAS layout; Table 2019-02-02 as Azure.Data.Tables.
    public const string BlobQueueVersion = "2024-11-04";
    public const string TableVersion = "2019-02-02";

    private static readonly StorageErrorParser s_errorParser = new();

    public StoragePipeline(StorageService service, Uri endpoint, StorageCredential credential, StorageClientOptions options)
    {
        Service = service;
        Endpoint = endpoint;
        Credential = credential;
        Options = options;
        HttpPipelinePolicy auth = (credential.AccountKey, credential.Sas, credential.Token) switch
        {
            ({ } key, _, _) when service == StorageService.Table => new TableSharedKeyLitePolicy(credential.AccountName, key, TimeProvider.System),
            ({ } key, _, _) => new StorageSharedKeyPolicy(credential.AccountName, key, TimeProvider.System),
            (_, { } sas, _) => new SasQueryPolicy(sas),
            (_, _, { } token) => new BearerTokenAuthenticationPolicy(token, StorageCredential.Scope),
            _ => throw new InvalidOperationException("A storage account needs an account key, a SAS or a token credential."),
        };
        Pipeline = HttpPipelineBuilder.Build(options, [], [auth], new ResponseClassifier());
    }

    public StorageService Service { get; }
    public Uri Endpoint { get; }
    public StorageCredential Credential { get; }
    public StorageClientOptions Options { get; }
    public HttpPipeline Pipeline { get; }
    public string Version => Service == StorageService.Table ? TableVersion : BlobQueueVersion;

    /// <summary>Endpoint base (which may carry a path, e.g. /devstoreaccount1) + a path already percent-encoded.</summary>
    public string Url(string encodedPath, string? query = null)
    {
        var root = Endpoint.AbsoluteUri.TrimEnd('/');
        return query is null ? $"{root}/{encodedPath}" : $"{root}/{encodedPath}?{query}";
    }

    public HttpMessage CreateMessage(RequestMethod method, string url)
    {
        var message = Pipeline.CreateMessage();
        message.Request.Method = method;
        message.Request.Uri.Reset(new Uri(url));
        message.Request.Headers.SetValue("x-ms-version", Version);
        return message;
    }

    /// <summary>Sends and throws <see cref="RequestFailedException"/> for any status not in <paramref name="accepted"/> (default: 2xx).</summary>
    public async Task<Response> SendAsync(HttpMessage message, CancellationToken cancellationToken, params int[] accepted)
    {
        await Pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        var response = message.Response;
        var ok = accepted.Length == 0 ? response.Status is >= 200 and < 300 : accepted.Contains(response.Status);
        if (!ok)
        {
            throw CreateException(response);
        }
        return response;
    }

    public static RequestFailedException CreateException(Response response) => new(response, null, s_errorParser);
}

/// <summary>Error code from <c>x-ms-error-code</c> first, else the XML (Blob/Queue) or JSON (Table) error body.</summary>
internal sealed class StorageErrorParser : RequestFailedDetailsParser
{
    public override bool TryParse(Response response, out ResponseError? error, out IDictionary<string, string>? data)
    {
        data = null;
        response.Headers.TryGetValue("x-ms-error-code", out var code);
        string? message = null;
        try
        {
            var body = response.Content?.ToString();
            if (!string.IsNullOrWhiteSpace(body))
            {
                var trimmed = body.TrimStart();
                if (trimmed.StartsWith('{'))
                {
                    using var doc = JsonDocument.Parse(trimmed);
                    if (doc.RootElement.TryGetProperty("odata.error", out var e))
                    {
                        if (e.TryGetProperty("code", out var c)) code ??= c.GetString();
                        if (e.TryGetProperty("message", out var m))
                        {
                            message = m.ValueKind == JsonValueKind.Object && m.TryGetProperty("value", out var v) ? v.GetString() : m.ToString();
                        }
                    }
                }
                else if (trimmed.StartsWith('<'))
                {
                    var root = XDocument.Parse(trimmed).Root;
                    code ??= root?.Element("Code")?.Value;
                    message = root?.Element("Message")?.Value;
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or System.Xml.XmlException)
        {
            // An unparseable body still yields status + header code.
        }
        error = code is null && message is null ? null : new ResponseError(code, message ?? code);
        return error is not null;
    }
}
