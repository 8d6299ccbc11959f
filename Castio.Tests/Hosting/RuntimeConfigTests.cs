using System.Text.Json.Nodes;

namespace Castio.Tests.Hosting;

/// <summary>Runtime settings both hosts are built with (their runtimeconfig.json, copied beside the tests).</summary>
public class RuntimeConfigTests
{
    [Theory]
    [InlineData("Castio.Functions")]
    [InlineData("Castio.LocalHost")]
    public void IdleThreadPoolWorkersDoNotSpin(string host)
    {
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, host + ".runtimeconfig.json")))!;

        Assert.Equal(0, (int?)config["runtimeOptions"]?["configProperties"]?["System.Threading.ThreadPool.UnfairSemaphoreSpinLimit"]);
    }
}
