using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Core;

namespace Castio.Core.Storage;

/// <summary>Parses the multipart/mixed answer of a $batch into one response per change-set part (spec §4.6).</summary>
internal static class TableBatchResponse
{
    public static List<BatchPartResponse> Parse(string body)
    {
        var parts = new List<BatchPartResponse>();
        var lines = body.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (!lines[i].StartsWith("HTTP/1.1 ", StringComparison.Ordinal)) continue;
            var statusLine = lines[i]["HTTP/1.1 ".Length..];
            var space = statusLine.IndexOf(' ');
            var status = int.Parse(space < 0 ? statusLine : statusLine[..space], System.Globalization.CultureInfo.InvariantCulture);
            var reason = space < 0 ? "" : statusLine[(space + 1)..];
            var headers = new List<HttpHeader>();
            i++;
            for (; i < lines.Length && lines[i].Length > 0; i++)
            {
                var colon = lines[i].IndexOf(':');
                if (colon > 0) headers.Add(new HttpHeader(lines[i][..colon].Trim(), lines[i][(colon + 1)..].Trim()));
            }
            var content = new StringBuilder();
            for (i++; i < lines.Length && !lines[i].StartsWith("--", StringComparison.Ordinal); i++)
            {
                content.Append(lines[i]).Append('\n');
            }
            i--;
            parts.Add(new BatchPartResponse(status, reason, headers, content.ToString().Trim()));
        }
        return parts;
    }

    public static (string? Code, string? Message) ParseError(BatchPartResponse part)
    {
        part.Headers.TryGetValue("x-ms-error-code", out var code);
        string? message = null;
        try
        {
            if (part.Body.StartsWith('{'))
            {
                using var doc = JsonDocument.Parse(part.Body);
                if (doc.RootElement.TryGetProperty("odata.error", out var e))
                {
                    if (e.TryGetProperty("code", out var c)) code ??= c.GetString();
                    if (e.TryGetProperty("message", out var m))
                    {
                        message = m.ValueKind == JsonValueKind.Object && m.TryGetProperty("value", out var v) ? v.GetString() : m.ToString();
                    }
                }
            }
        }
        catch (JsonException)
        {
            // Keep status and header code.
        }
        return (code, message);
    }
}

/// <summary>One sub-response of a batch, exposed as an Azure.Core <see cref="Response"/>.</summary>
internal sealed class BatchPartResponse(int status, string reason, List<HttpHeader> headers, string body) : Response
{
    public string Body { get; } = body;
    public override int Status { get; } = status;
    public override string ReasonPhrase { get; } = reason;
    public override Stream? ContentStream { get; set; } = new MemoryStream(Encoding.UTF8.GetBytes(body));
    public override string ClientRequestId { get; set; } = "";
    public override void Dispose() => ContentStream?.Dispose();
    protected override bool ContainsHeader(string name) => headers.Any(h => h.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
    protected override IEnumerable<HttpHeader> EnumerateHeaders() => headers;

    protected override bool TryGetHeader(string name, [NotNullWhen(true)] out string? value)
    {
        value = headers.FirstOrDefault(h => h.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;
        return value is not null;
    }

    protected override bool TryGetHeaderValues(string name, [NotNullWhen(true)] out IEnumerable<string>? values)
    {
        var found = headers.Where(h => h.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).ToList();
        values = found.Count > 0 ? found : null;
        return values is not null;
    }
}
