using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace Castio.LocalHost;

/// <summary>Where and how to start Azurite. Ports 0 pick free ports; a null data directory means in-memory.</summary>
public sealed record AzuriteStartOptions(string RepoRoot)
{
    /// <summary>Blob port (0 = pick a free one).</summary>
    public int BlobPort { get; init; }
    /// <summary>Queue port (0 = pick a free one).</summary>
    public int QueuePort { get; init; }
    /// <summary>Table port (0 = pick a free one).</summary>
    public int TablePort { get; init; }
    /// <summary>Folder for Azurite's data; null keeps everything in memory.</summary>
    public string? DataDirectory { get; init; }
    /// <summary>More Azurite arguments, e.g. <c>--oauth basic --cert … --key …</c> for HTTPS + bearer tokens.</summary>
    public IReadOnlyList<string> ExtraArguments { get; init; } = [];
    /// <summary>How long to wait for npm install + the three ports.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromMinutes(3);
}

/// <summary>
/// Azurite from the repo's pinned npm package, run as a child process (dev and tests only).
/// Disposing kills the whole process tree.
/// </summary>
public sealed partial class AzuriteProcess : IAsyncDisposable
{
    private static readonly SemaphoreSlim s_installLock = new(1, 1);

    private readonly Process _process;
    private readonly ILogger _logger;

    private AzuriteProcess(Process process, ILogger logger, int blobPort, int queuePort, int tablePort)
    {
        _process = process;
        _logger = logger;
        BlobPort = blobPort;
        QueuePort = queuePort;
        TablePort = tablePort;
    }

    /// <summary>Blob port.</summary>
    public int BlobPort { get; }
    /// <summary>Queue port.</summary>
    public int QueuePort { get; }
    /// <summary>Table port.</summary>
    public int TablePort { get; }

    /// <summary>Azurite's well-known account name.</summary>
    public const string DevelopmentAccountName = "devstoreaccount1";

    /// <summary>Azurite's well-known (public) account key.</summary>
    public const string DevelopmentAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    /// <summary>Full Azurite connection string (well-known devstoreaccount1) for the ports in use.</summary>
    public string ConnectionString => CreateConnectionString(BlobPort, QueuePort, TablePort);

    /// <summary>The connection string for Azurite on the given ports.</summary>
    public static string CreateConnectionString(int blobPort, int queuePort, int tablePort) =>
        $"DefaultEndpointsProtocol=http;AccountName={DevelopmentAccountName};AccountKey={DevelopmentAccountKey};" +
        $"BlobEndpoint=http://127.0.0.1:{blobPort}/{DevelopmentAccountName};" +
        $"QueueEndpoint=http://127.0.0.1:{queuePort}/{DevelopmentAccountName};" +
        $"TableEndpoint=http://127.0.0.1:{tablePort}/{DevelopmentAccountName};";

    /// <summary>Installs Azurite if missing (npm install in the repo root), starts it and waits until all three ports accept.</summary>
    public static async Task<AzuriteProcess> StartAsync(AzuriteStartOptions options, ILogger logger, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.StartTimeout);

        var script = Path.Combine(options.RepoRoot, "node_modules", "azurite", "dist", "src", "azurite.js");
        // Two starts in one process (test fixtures, host) must not run npm install concurrently.
        await s_installLock.WaitAsync(timeout.Token).ConfigureAwait(false);
        try
        {
            if (!File.Exists(Path.Combine(options.RepoRoot, "node_modules", ".bin", "azurite")) || !File.Exists(script))
            {
                Log.Installing(logger, options.RepoRoot);
                await NpmInstallAsync(options.RepoRoot, timeout.Token).ConfigureAwait(false);
                if (!File.Exists(script))
                {
                    throw new InvalidOperationException($"npm install finished but {script} is missing; is azurite pinned in package.json?");
                }
            }
        }
        finally
        {
            s_installLock.Release();
        }

        var blobPort = options.BlobPort == 0 ? FreePort() : options.BlobPort;
        var queuePort = options.QueuePort == 0 ? FreePort(blobPort) : options.QueuePort;
        var tablePort = options.TablePort == 0 ? FreePort(blobPort, queuePort) : options.TablePort;

        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = options.RepoRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
                 {
                     script, "--silent", "--disableTelemetry", "--skipApiVersionCheck", "--loose",
                     "--blobHost", "127.0.0.1", "--blobPort", blobPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "--queueHost", "127.0.0.1", "--queuePort", queuePort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "--tableHost", "127.0.0.1", "--tablePort", tablePort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                 })
        {
            start.ArgumentList.Add(arg);
        }
        if (options.DataDirectory is { } dataDirectory)
        {
            Directory.CreateDirectory(dataDirectory);
            start.ArgumentList.Add("--location");
            start.ArgumentList.Add(dataDirectory);
        }
        else
        {
            start.ArgumentList.Add("--inMemoryPersistence");
        }

        foreach (var arg in options.ExtraArguments) start.ArgumentList.Add(arg);

        var output = new StringBuilder();
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        if (!process.Start())
        {
            throw new InvalidOperationException("Could not start node for Azurite.");
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var azurite = new AzuriteProcess(process, logger, blobPort, queuePort, tablePort);

        try
        {
            while (!(IsListening(blobPort) && IsListening(queuePort) && IsListening(tablePort)))
            {
                if (process.HasExited)
                {
                    string text;
                    lock (output) text = output.ToString();
                    throw new InvalidOperationException($"Azurite exited with code {process.ExitCode} before listening: {text}");
                }
                await Task.Delay(100, timeout.Token).ConfigureAwait(false);
            }
        }
        catch
        {
            await azurite.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        Log.Started(logger, process.Id, blobPort, queuePort, tablePort, options.DataDirectory ?? "in memory");
        return azurite;
    }

    /// <summary>The nearest folder at or above <paramref name="startDirectory"/> whose package.json pins azurite.</summary>
    public static string? FindRepoRoot(string startDirectory)
    {
        for (var dir = new DirectoryInfo(startDirectory); dir is not null; dir = dir.Parent)
        {
            var packageJson = Path.Combine(dir.FullName, "package.json");
            if (File.Exists(packageJson) && AzuriteDependency().IsMatch(File.ReadAllText(packageJson)))
            {
                return dir.FullName;
            }
        }
        return null;
    }

    /// <summary>True when something accepts TCP connections on 127.0.0.1:<paramref name="port"/>.</summary>
    public static bool IsListening(int port)
    {
        try
        {
            using var client = new TcpClient();
            var connect = client.ConnectAsync(IPAddress.Loopback, port);
            return connect.Wait(TimeSpan.FromMilliseconds(500)) && client.Connected;
        }
        catch (Exception ex) when (ex is SocketException or AggregateException)
        {
            return false;
        }
    }

    /// <summary>Kills Azurite and its child processes.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            }
            Log.Stopped(_logger, _process.Id);
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
        {
            Log.StopFailed(_logger, ex);
        }
        finally
        {
            _process.Dispose();
        }
    }

    private static async Task NpmInstallAsync(string repoRoot, CancellationToken ct)
    {
        var start = new ProcessStartInfo(OperatingSystem.IsWindows() ? "npm.cmd" : "npm")
        {
            WorkingDirectory = repoRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("install");
        start.ArgumentList.Add("--no-audit");
        start.ArgumentList.Add("--no-fund");
        using var npm = Process.Start(start) ?? throw new InvalidOperationException("Could not start npm.");
        var stdout = npm.StandardOutput.ReadToEndAsync(ct);
        var stderr = npm.StandardError.ReadToEndAsync(ct);
        try
        {
            await npm.WaitForExitAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            npm.Kill(entireProcessTree: true);
            throw;
        }
        if (npm.ExitCode != 0)
        {
            throw new InvalidOperationException($"npm install failed with exit code {npm.ExitCode}: {await stderr.ConfigureAwait(false)}{await stdout.ConfigureAwait(false)}");
        }
    }

    private static int FreePort(params int[] taken)
    {
        while (true)
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            if (!taken.Contains(port)) return port;
        }
    }

    [GeneratedRegex("\"azurite\"\\s*:")]
    private static partial Regex AzuriteDependency();

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Azurite is not installed; running npm install in {RepoRoot}")]
        public static partial void Installing(ILogger logger, string repoRoot);

        [LoggerMessage(EventId = 2, Level = LogLevel.Information,
            Message = "Started Azurite (pid {ProcessId}) from the repo's npm package: blob 127.0.0.1:{BlobPort}, queue 127.0.0.1:{QueuePort}, table 127.0.0.1:{TablePort}, data {Data}")]
        public static partial void Started(ILogger logger, int processId, int blobPort, int queuePort, int tablePort, string data);

        [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Stopped Azurite (pid {ProcessId})")]
        public static partial void Stopped(ILogger logger, int processId);

        [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Could not stop Azurite cleanly")]
        public static partial void StopFailed(ILogger logger, Exception exception);
    }
}
