using System.Text.RegularExpressions;

namespace Castio.Tests;

/// <summary>
/// Castio.Core's features (its <c>Castio.Core.{Feature}</c> namespaces) depend on each other one way
/// only. Read from the source, so constants (inlined in IL), <c>nameof</c> and crefs count as well.
/// </summary>
public sealed partial class ArchitectureTests
{
    [Fact]
    public void CoreFeaturesDependOnEachOtherOneWayOnly()
    {
        var edges = CoreDependencies();
        var cycles = StronglyConnected(edges).Where(c => c.Count > 1).ToList();

        Assert.True(cycles.Count == 0, string.Join("\n", cycles.Select(c => Describe(c, edges))));
    }

    [Fact]
    public void TheScanSeesEveryKindOfReference()
    {
        var seen = References("""
            using Castio.Core.Common;
            using Alias = Castio.Core.Retention.ExpiryStore;
            /// <see cref="Auth.SessionKeys"/>
            var a = Castio.Core.Rtk.RtkRoutes.Base; var b = Orgs.OrgKeys.Org; var c = page.Users.Count;
            """, ["Common", "Retention", "Auth", "Rtk", "Orgs", "Users"]);

        Assert.Equal(["Auth", "Common", "Orgs", "Retention", "Rtk"], seen.Select(r => r.Feature).Distinct().Order());
    }

    /// <summary>Feature → the features it references, each with the first place it does.</summary>
    private static Dictionary<string, Dictionary<string, string>> CoreDependencies()
    {
        var core = Path.Combine(RepoRoot(), "Castio.Core");
        var files = Directory.EnumerateFiles(core, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(f => (Path: f, Text: File.ReadAllText(f)))
            .Select(f => (f.Path, f.Text, Feature: NamespaceLine().Match(f.Text) is { Success: true } m ? m.Groups[1].Value : null))
            .Where(f => f.Feature is not null)
            .ToList();
        var features = files.Select(f => f.Feature!).ToHashSet(StringComparer.Ordinal);
        Assert.Contains("Auth", features);

        var edges = features.ToDictionary(f => f, _ => new Dictionary<string, string>(StringComparer.Ordinal), StringComparer.Ordinal);
        foreach (var (path, text, feature) in files.OrderBy(f => f.Path, StringComparer.Ordinal))
        {
            foreach (var (target, line, source) in References(text, features))
            {
                if (target != feature!)
                {
                    edges[feature!].TryAdd(target, $"{Path.GetRelativePath(core, path)}:{line}: {source}");
                }
            }
        }

        return edges;
    }

    /// <summary><c>using Castio.Core.X</c>, <c>Castio.Core.X.</c> and, inside Castio.Core, the relative <c>X.Type</c>.</summary>
    private static IEnumerable<(string Feature, int Line, string Source)> References(string text, IReadOnlyCollection<string> features)
    {
        var relative = new Regex(@"(?<![\w.])(" + string.Join("|", features.Select(Regex.Escape)) + @")\.[A-Z]");
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (NamespaceLine().IsMatch(line))
            {
                continue;
            }

            var found = UsingOrQualified().Matches(line).Select(m => m.Groups["f"].Value)
                .Concat(relative.Matches(line).Select(m => m.Groups[1].Value))
                .Where(features.Contains);
            foreach (var feature in found.Distinct())
            {
                yield return (feature, i + 1, line.Trim());
            }
        }
    }

    /// <summary>Tarjan's strongly connected components: any with two or more features is a cycle.</summary>
    private static List<List<string>> StronglyConnected(Dictionary<string, Dictionary<string, string>> edges)
    {
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var components = new List<List<string>>();

        void Visit(string v)
        {
            index[v] = low[v] = index.Count;
            stack.Push(v);
            foreach (var w in edges[v].Keys.Order(StringComparer.Ordinal))
            {
                if (!index.ContainsKey(w))
                {
                    Visit(w);
                    low[v] = Math.Min(low[v], low[w]);
                }
                else if (stack.Contains(w))
                {
                    low[v] = Math.Min(low[v], index[w]);
                }
            }

            if (low[v] == index[v])
            {
                var component = new List<string>();
                string w;
                do
                {
                    w = stack.Pop();
                    component.Add(w);
                }
                while (w != v);
                components.Add([.. component.Order(StringComparer.Ordinal)]);
            }
        }

        foreach (var v in edges.Keys.Order(StringComparer.Ordinal))
        {
            if (!index.ContainsKey(v))
            {
                Visit(v);
            }
        }

        return components;
    }

    private static string Describe(List<string> component, Dictionary<string, Dictionary<string, string>> edges)
    {
        var inside = component.ToHashSet(StringComparer.Ordinal);
        var lines = component
            .SelectMany(from => edges[from].Where(e => inside.Contains(e.Key)).Select(e => $"    {from} → {e.Key}  ({e.Value})"));
        return $"Castio.Core features in a dependency cycle: {string.Join(" ↔ ", component)}\n{string.Join("\n", lines)}";
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Castio.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Castio.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"^\s*namespace\s+Castio\.Core\.(\w+)", RegexOptions.Multiline)]
    private static partial Regex NamespaceLine();

    [GeneratedRegex(@"\busing\s+(?:static\s+)?(?:\w+\s*=\s*)?Castio\.Core\.(?<f>\w+)|(?<![\w.])Castio\.Core\.(?<f>\w+)\.")]
    private static partial Regex UsingOrQualified();
}
