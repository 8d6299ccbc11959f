using System.Globalization;

namespace Castio.RtkSimulator;

/// <summary>
/// Serves artefact download links (<c>/__sim/files/{fileId}/{name}</c>) the way RTK's pre-signed bucket URLs answer:
/// unknown → 404, expired → 403, and the download faults of <see cref="SimulatorFaults"/>. A bucket outage answers
/// before the link's signature and expiry are looked at. Each request is logged in <see cref="RtkSimulatorState.Downloads"/>.
/// </summary>
internal static class FileDownloads
{
    public static async Task ServeAsync(HttpContext context, RtkSimulatorState s, string fileId)
    {
        SimFile? file;
        lock (s.Gate) s.Files.TryGetValue(fileId, out file);
        var name = file?.FileName ?? "";
        if (file is null)
        {
            await ErrorAsync(context, s, fileId, name, 404, "NoSuchKey", "The specified key does not exist.");
            return;
        }

        var faults = s.Faults;
        if (faults.FilesLatencyMs > 0) await Task.Delay(TimeSpan.FromMilliseconds(faults.FilesLatencyMs), s.Time, context.RequestAborted);
        if (faults.FilesDown)
        {
            if (faults.FilesDownDropsConnections) Drop(context, s, file);
            else await ErrorAsync(context, s, fileId, name, faults.FilesErrorStatus, "ServiceUnavailable", "Simulated storage outage");
            return;
        }
        if (faults.TryTakeNextDownload(out var failure))
        {
            switch (failure.Kind)
            {
                case DownloadFailure.DropConnection:
                    Drop(context, s, file);
                    return;
                case DownloadFailure.Truncate:
                    await TruncateAsync(context, s, file);
                    return;
                default:
                    await ErrorAsync(context, s, fileId, name, failure.Status, "InternalError", "Simulated download failure");
                    return;
            }
        }
        if (faults.FilesExpired || file.Expiry < s.Now)
        {
            // What an expired pre-signed S3/R2 URL answers.
            await ErrorAsync(context, s, fileId, name, 403, "AccessDenied", "Request has expired");
            return;
        }

        s.Record(new RecordedDownload(file.Id, file.FileName, 200, "served", s.Now));
        context.Response.StatusCode = 200;
        context.Response.ContentType = file.ContentType;
        context.Response.ContentLength = file.Content.Length;
        context.Response.Headers.ContentDisposition = $"attachment; filename=\"{file.FileName}\"";
        await context.Response.Body.WriteAsync(file.Content, context.RequestAborted);
    }

    private static void Drop(HttpContext context, RtkSimulatorState s, SimFile file)
    {
        s.Record(new RecordedDownload(file.Id, file.FileName, null, "dropped", s.Now));
        context.Abort();
    }

    private static async Task TruncateAsync(HttpContext context, RtkSimulatorState s, SimFile file)
    {
        s.Record(new RecordedDownload(file.Id, file.FileName, 200, "truncated", s.Now));
        context.Response.StatusCode = 200;
        context.Response.ContentType = file.ContentType;
        context.Response.ContentLength = file.Content.Length;
        await context.Response.Body.WriteAsync(file.Content.AsMemory(0, file.Content.Length / 2), context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
        context.Abort();
    }

    private static async Task ErrorAsync(HttpContext context, RtkSimulatorState s, string fileId, string name, int status, string code, string message)
    {
        s.Record(new RecordedDownload(fileId, name, status, "status", s.Now));
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/xml";
        await context.Response.WriteAsync(string.Create(CultureInfo.InvariantCulture,
            $"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message></Error>"), context.RequestAborted);
    }
}
