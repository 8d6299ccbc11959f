using System.Security.Cryptography;
using System.Text;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Castio.Core.Storage;

/// <summary>Shared Key for Blob and Queue (spec §3.1). Runs per retry so x-ms-date is fresh on every attempt.</summary>
internal sealed class StorageSharedKeyPolicy(string accountName, byte[] key, TimeProvider time) : HttpPipelineSynchronousPolicy
{
    public override void OnSendingRequest(HttpMessage message)
    {
        var request = message.Request;
        request.Headers.SetValue("x-ms-date", time.GetUtcNow().ToString("r"));
        var signature = StorageSigning.Sign(key, StringToSign(request, accountName));
        request.Headers.SetValue("Authorization", $"SharedKey {accountName}:{signature}");
    }

    internal static string StringToSign(Request request, string accountName)
    {
        string H(string name) => request.Headers.TryGetValue(name, out var v) ? v : "";
        long length = 0;
        if (request.Content is { } content && content.TryComputeLength(out var l)) length = l;
        var sb = new StringBuilder();
        sb.Append(request.Method.Method.ToUpperInvariant()).Append('\n');
        sb.Append(H("Content-Encoding")).Append('\n');
        sb.Append(H("Content-Language")).Append('\n');
        sb.Append(length == 0 ? "" : length.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
        sb.Append(H("Content-MD5")).Append('\n');
        sb.Append(H("Content-Type")).Append('\n');
        sb.Append('\n'); // Date: empty because x-ms-date is sent
        sb.Append(H("If-Modified-Since")).Append('\n');
        sb.Append(H("If-Match")).Append('\n');
        sb.Append(H("If-None-Match")).Append('\n');
        sb.Append(H("If-Unmodified-Since")).Append('\n');
        sb.Append(H("Range")).Append('\n');
        foreach (var header in request.Headers
                     .Where(h => h.Name.StartsWith("x-ms-", StringComparison.OrdinalIgnoreCase))
                     .Select(h => (Name: h.Name.ToLowerInvariant(), Value: h.Value.Trim()))
                     .OrderBy(h => h.Name, StringComparer.Ordinal))
        {
            sb.Append(header.Name).Append(':').Append(header.Value).Append('\n');
        }
        var uri = request.Uri.ToUri();
        sb.Append('/').Append(accountName).Append(uri.AbsolutePath);
        foreach (var group in StorageSigning.ParseQuery(uri.Query)
                     .GroupBy(p => p.Name.ToLowerInvariant())
                     .OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            sb.Append('\n').Append(group.Key).Append(':')
              .Append(string.Join(',', group.Select(p => p.Value).Order(StringComparer.Ordinal)));
        }
        return sb.ToString();
    }
}

/// <summary>Shared Key Lite for Table (spec §3.3), what Azure.Data.Tables sends: <c>Date\nCanonicalizedResource</c>.</summary>
internal sealed class TableSharedKeyLitePolicy(string accountName, byte[] key, TimeProvider time) : HttpPipelineSynchronousPolicy
{
    public override void OnSendingRequest(HttpMessage message)
    {
        var request = message.Request;
        var date = time.GetUtcNow().ToString("r");
        request.Headers.SetValue("x-ms-date", date);
        var signature = StorageSigning.Sign(key, StringToSign(request, accountName, date));
        request.Headers.SetValue("Authorization", $"SharedKeyLite {accountName}:{signature}");
    }

    internal static string StringToSign(Request request, string accountName, string date)
    {
        var uri = request.Uri.ToUri();
        var resource = $"/{accountName}{uri.AbsolutePath}";
        var comp = StorageSigning.ParseQuery(uri.Query).FirstOrDefault(p => p.Name.Equals("comp", StringComparison.OrdinalIgnoreCase));
        if (comp.Name is not null) resource += "?comp=" + comp.Value;
        return date + "\n" + resource;
    }
}

/// <summary>Appends a SAS (from a connection string) to every request.</summary>
internal sealed class SasQueryPolicy(string sas) : HttpPipelineSynchronousPolicy
{
    private readonly string _sas = sas.TrimStart('?');

    public override void OnSendingRequest(HttpMessage message)
    {
        var uri = message.Request.Uri.ToUri();
        if (uri.Query.Contains("sig=", StringComparison.Ordinal)) return;
        var separator = string.IsNullOrEmpty(uri.Query) ? "?" : "&";
        message.Request.Uri.Reset(new Uri(uri.AbsoluteUri + separator + _sas));
    }
}

internal static class StorageSigning
{
    public static string Sign(byte[] key, string stringToSign)
    {
        using var hmac = new HMACSHA256(key);
        return Convert.ToBase64String(hmac.ComputeHash(Encoding.UTF8.GetBytes(stringToSign)));
    }

    /// <summary>Query parameters with decoded values ('+' read as space, as Azurite does).</summary>
    public static IEnumerable<(string Name, string Value)> ParseQuery(string query)
    {
        foreach (var part in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=');
            var name = eq < 0 ? part : part[..eq];
            var value = eq < 0 ? "" : part[(eq + 1)..];
            yield return (Uri.UnescapeDataString(name.Replace('+', ' ')), Uri.UnescapeDataString(value.Replace('+', ' ')));
        }
    }
}
