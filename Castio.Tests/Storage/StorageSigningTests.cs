using System.Security.Cryptography;
using System.Text;
using Azure.Core;
using Azure.Core.Pipeline;
using Castio.Core.Storage;

namespace Castio.Tests.Storage;

/// <summary>String-to-sign shapes from spec §3 and §6.2 (the Azurite round trips prove the rest).</summary>
public sealed class StorageSigningTests
{
    private static Request NewRequest(RequestMethod method, string uri)
    {
        var request = HttpPipelineBuilder.Build(new StorageClientOptions()).CreateRequest();
        request.Method = method;
        request.Uri.Reset(new Uri(uri));
        return request;
    }

    [Fact]
    public void SharedKeyStringToSignMatchesTheSpecWorkedExample()
    {
        var request = NewRequest(RequestMethod.Put, "http://127.0.0.1:10001/devstoreaccount1/work-items");
        request.Headers.SetValue("x-ms-version", "2024-11-04");
        request.Headers.SetValue("x-ms-date", "Mon, 05 Oct 2026 12:00:00 GMT");
        Assert.Equal(
            "PUT\n\n\n\n\n\n\n\n\n\n\n\nx-ms-date:Mon, 05 Oct 2026 12:00:00 GMT\nx-ms-version:2024-11-04\n/devstoreaccount1/devstoreaccount1/work-items",
            StorageSharedKeyPolicy.StringToSign(request, "devstoreaccount1"));
    }

    [Fact]
    public void SharedKeyCanonicalizesQueryParametersSortedAndDecoded()
    {
        var request = NewRequest(RequestMethod.Get, "http://127.0.0.1:10000/devstoreaccount1/files?restype=container&prefix=2026%2F&comp=list");
        request.Headers.SetValue("x-ms-date", "Mon, 05 Oct 2026 12:00:00 GMT");
        request.Headers.SetValue("x-ms-version", "2024-11-04");
        var sts = StorageSharedKeyPolicy.StringToSign(request, "devstoreaccount1");
        Assert.EndsWith("/devstoreaccount1/devstoreaccount1/files\ncomp:list\nprefix:2026/\nrestype:container", sts, StringComparison.Ordinal);
    }

    [Fact]
    public void SharedKeySignsContentLengthTypeAndRange()
    {
        var request = NewRequest(RequestMethod.Put, "http://127.0.0.1:10000/devstoreaccount1/c/b.txt");
        request.Content = RequestContent.Create(new byte[] { 1, 2, 3 });
        request.Headers.SetValue("Content-Type", "text/plain");
        request.Headers.SetValue("If-None-Match", "*");
        request.Headers.SetValue("Range", "bytes=0-4");
        request.Headers.SetValue("x-ms-blob-type", "BlockBlob");
        var lines = StorageSharedKeyPolicy.StringToSign(request, "devstoreaccount1").Split('\n');
        Assert.Equal("PUT", lines[0]);
        Assert.Equal("3", lines[3]);
        Assert.Equal("text/plain", lines[5]);
        Assert.Equal("*", lines[9]);
        Assert.Equal("bytes=0-4", lines[11]);
        Assert.Equal("x-ms-blob-type:BlockBlob", lines[12]);
    }

    [Fact]
    public void TableSharedKeyLiteSignsDateAndResourceWithOnlyComp()
    {
        var request = NewRequest(RequestMethod.Get, "http://127.0.0.1:10002/devstoreaccount1/orders()?$filter=a%20eq%201&NextPartitionKey=cDE%3D");
        Assert.Equal("Mon, 05 Oct 2026 12:00:00 GMT\n/devstoreaccount1/devstoreaccount1/orders()",
            TableSharedKeyLitePolicy.StringToSign(request, "devstoreaccount1", "Mon, 05 Oct 2026 12:00:00 GMT"));
        var withComp = NewRequest(RequestMethod.Get, "http://127.0.0.1:10002/devstoreaccount1/orders?comp=acl");
        Assert.EndsWith("/devstoreaccount1/devstoreaccount1/orders?comp=acl",
            TableSharedKeyLitePolicy.StringToSign(withComp, "devstoreaccount1", "d"), StringComparison.Ordinal);
    }

    [Fact]
    public void ServiceSasHasSixteenLinesAndTheUnencodedBlobName()
    {
        var expiry = new DateTimeOffset(2026, 10, 5, 13, 0, 0, TimeSpan.Zero);
        var lines = BlobSas.ServiceStringToSign("devstoreaccount1", "files", "a b.txt", null, expiry, "https,http").Split('\n');
        Assert.Equal(16, lines.Length);
        Assert.Equal(["r", "", "2026-10-05T13:00:00Z", "/blob/devstoreaccount1/files/a b.txt", "", "", "https,http", "2024-11-04", "b"], lines[..9]);
        Assert.All(lines[9..], l => Assert.Equal("", l));
    }

    [Fact]
    public void UserDelegationSasFollowsThe24LineLayoutAndCarriesTheKeyParameters()
    {
        var keyBytes = RandomNumberGenerator.GetBytes(32);
        var key = new UserDelegationKey("oid-1", "tid-1",
            new DateTimeOffset(2026, 10, 5, 11, 55, 0, TimeSpan.Zero), new DateTimeOffset(2026, 10, 6, 12, 0, 0, TimeSpan.Zero),
            "b", "2025-11-05", Convert.ToBase64String(keyBytes));
        var expiry = new DateTimeOffset(2026, 10, 5, 13, 0, 0, TimeSpan.Zero);

        var sts = BlobSas.UserDelegationStringToSign("acct", key, "files", "a b.txt", null, expiry, "https");
        var lines = sts.Split('\n');
        Assert.Equal(24, lines.Length);
        Assert.Equal(
            ["r", "", "2026-10-05T13:00:00Z", "/blob/acct/files/a b.txt", "oid-1", "tid-1", "2026-10-05T11:55:00Z", "2026-10-06T12:00:00Z",
             "b", "2025-11-05", "", "", "", "", "https", "2024-11-04", "b"], lines[..17]);
        Assert.All(lines[17..], l => Assert.Equal("", l));

        var query = BlobSas.UserDelegationSas("acct", key, "files", "a b.txt", null, expiry, "https");
        var parameters = query.Split('&').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => Uri.UnescapeDataString(p[1]));
        Assert.Equal("2024-11-04", parameters["sv"]);
        Assert.Equal("b", parameters["sr"]);
        Assert.Equal("r", parameters["sp"]);
        Assert.Equal("https", parameters["spr"]);
        Assert.Equal("2026-10-05T13:00:00Z", parameters["se"]);
        Assert.Equal("oid-1", parameters["skoid"]);
        Assert.Equal("tid-1", parameters["sktid"]);
        Assert.Equal("2026-10-05T11:55:00Z", parameters["skt"]);
        Assert.Equal("2026-10-06T12:00:00Z", parameters["ske"]);
        Assert.Equal("b", parameters["sks"]);
        Assert.Equal("2025-11-05", parameters["skv"]);
        using var hmac = new HMACSHA256(keyBytes);
        Assert.Equal(Convert.ToBase64String(hmac.ComputeHash(Encoding.UTF8.GetBytes(sts))), parameters["sig"]);
    }
}
