using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Castio.LocalHost;
using Castio.Core.Storage;

namespace Castio.Tests.Hosting;

/// <summary>Every setting the code reads appears in local.settings.sample.json and in the Bicep app settings.</summary>
public partial class SettingsTests
{
    public static string RepoRoot => Root;

    private static readonly string Root = AzuriteProcess.FindRepoRoot(AppContext.BaseDirectory)
        ?? throw new InvalidOperationException("Repository root not found.");

    private static HashSet<string> SampleKeys() =>
        [.. JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "local.settings.sample.json")))
            .RootElement.GetProperty("Values").EnumerateObject().Select(p => p.Name)];

    /// <summary>Keys of the <c>hostSettings</c> and <c>castioSettings</c> objects that become the app settings.</summary>
    private static HashSet<string> BicepSettings()
    {
        var bicep = File.ReadAllText(Path.Combine(Root, "infra", "bicep", "app", "castio.bicep"));
        var blocks = BicepSettingsBlock().Matches(bicep);
        Assert.Equal(2, blocks.Count);
        return [.. blocks.SelectMany(b => BicepSettingName().Matches(b.Groups[1].Value)).Select(m => m.Groups[1].Value)];
    }

    /// <summary>Options classes are recognised by their <c>SectionName</c> constant (STYLE §2.8).</summary>
    private static IEnumerable<string> OptionSettings() =>
        new[] { typeof(Castio.Functions.CastioServices).Assembly, typeof(AzuriteProcess).Assembly }
            .SelectMany(a => a.GetTypes())
            .Select(t => (Type: t, Section: t.GetField("SectionName", BindingFlags.Public | BindingFlags.Static)?.GetRawConstantValue() as string))
            .Where(x => x.Section is not null)
            .SelectMany(x => x.Type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.CanWrite)
                .Select(p => $"{x.Section!.Replace(":", "__")}__{p.Name}"));

    [Fact]
    public void EveryOptionsPropertyIsInTheSampleSettings()
    {
        var sample = SampleKeys();
        var options = OptionSettings().ToList();
        Assert.NotEmpty(options);
        Assert.All(options, key => Assert.Contains(key, sample));
    }

    [Fact]
    public void EverySampleSettingIsSetByTheBicep()
    {
        var bicep = BicepSettings();
        foreach (var key in SampleKeys())
        {
            switch (key)
            {
                case "FUNCTIONS_WORKER_RUNTIME": // Flex takes the runtime from functionAppConfig, not a setting
                    Assert.DoesNotContain(key, bicep);
                    break;
                case StorageSetup.ConnectionSetting: // Azure uses the identity form
                    Assert.Contains(key + "__accountName", bicep);
                    Assert.Contains(key + "__credential", bicep);
                    break;
                default:
                    Assert.Contains(key, bicep);
                    break;
            }
        }
    }

    [Fact]
    public void BicepSetsNothingTheCodeDoesNotKnow()
    {
        var known = SampleKeys();
        foreach (var key in BicepSettings())
        {
            var platform = key.StartsWith("APPLICATIONINSIGHTS_", StringComparison.Ordinal)
                || key.StartsWith(StorageSetup.ConnectionSetting + "__", StringComparison.Ordinal);
            Assert.True(platform || known.Contains(key), $"{key} is set in Bicep but not listed in local.settings.sample.json");
        }
    }

    [Fact]
    public void EverySampleSettingIsInTheReadmeSettingsTable()
    {
        var readme = File.ReadAllText(Path.Combine(Root, "README.md"));
        var table = readme[readme.IndexOf("## Settings", StringComparison.Ordinal)..];
        Assert.All(SampleKeys(), key => Assert.Contains($"`{key}`", table));
    }

    [GeneratedRegex(@"^var (?:hostSettings|castioSettings) = \{(.*?)^\}", RegexOptions.Singleline | RegexOptions.Multiline)]
    private static partial Regex BicepSettingsBlock();

    [GeneratedRegex(@"^\s*([A-Za-z][A-Za-z0-9_]*)\s*:", RegexOptions.Multiline)]
    private static partial Regex BicepSettingName();
}
