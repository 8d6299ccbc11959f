using System.Diagnostics;
using System.Runtime;

/// <summary>
/// Loaded by the runtime before Main (DOTNET_STARTUP_HOOKS). Writes to STARTUP_PROBE_OUT a timeline in ms since the
/// process started: the hosting phases (DiagnosticListener events), the first request, each assembly load, and at
/// the first request's end the JIT and GC totals. Startup hooks must be a public-less static class in no namespace.
/// </summary>
internal static class StartupHook
{
    private static readonly object Gate = new();
    private static readonly List<string> Lines = [];
    private static DateTime _processStart;
    private static int _reported;

    public static void Initialize()
    {
        _processStart = Process.GetCurrentProcess().StartTime;
        Log("startup hook runs (runtime initialised)");
        AppDomain.CurrentDomain.AssemblyLoad += (_, e) => Log("  load " + e.LoadedAssembly.GetName().Name);
        DiagnosticListener.AllListeners.Subscribe(new Listeners());
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Report("process exit");
    }

    private static double Now() => (DateTime.Now - _processStart).TotalMilliseconds;

    private static void Log(string what)
    {
        lock (Gate)
        {
            Lines.Add($"{Now(),8:F0} ms  {what}");
        }
    }

    private static void Report(string when)
    {
        if (Interlocked.Exchange(ref _reported, 1) == 1)
        {
            return;
        }

        Log($"{when}: {JitInfo.GetCompiledMethodCount()} methods JIT-compiled in {JitInfo.GetCompilationTime().TotalMilliseconds:F0} ms (all threads), "
            + $"{AppDomain.CurrentDomain.GetAssemblies().Length} assemblies, {GC.CollectionCount(0)} gen0 GCs, "
            + $"CPU {Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds:F0} ms, threads {Process.GetCurrentProcess().Threads.Count}");
        var path = Environment.GetEnvironmentVariable("STARTUP_PROBE_OUT");
        lock (Gate)
        {
            if (path is { Length: > 0 })
            {
                File.WriteAllLines(path, Lines);
            }
        }
    }

    private sealed class Listeners : IObserver<DiagnosticListener>
    {
        public void OnNext(DiagnosticListener listener)
        {
            Log($"listener {listener.Name}");
            if (listener.Name is "Microsoft.Extensions.Hosting" or "Microsoft.AspNetCore")
            {
                listener.Subscribe(new Events(), (name, _, _) => !name.EndsWith(".Start", StringComparison.Ordinal) || name.Contains("HttpRequestIn", StringComparison.Ordinal));
            }
        }

        public void OnError(Exception error)
        {
        }

        public void OnCompleted()
        {
        }
    }

    private sealed class Events : IObserver<KeyValuePair<string, object?>>
    {
        private int _requests;

        public void OnNext(KeyValuePair<string, object?> value)
        {
            if (value.Key.StartsWith("Microsoft.AspNetCore.Hosting.HttpRequestIn", StringComparison.Ordinal) || value.Key is "HostBuilding" or "HostBuilt")
            {
                Log(value.Key);
            }

            if (value.Key == "Microsoft.AspNetCore.Hosting.HttpRequestIn.Stop" && Interlocked.Increment(ref _requests) == 1)
            {
                Report("first request done");
            }
        }

        public void OnError(Exception error)
        {
        }

        public void OnCompleted()
        {
        }
    }
}
