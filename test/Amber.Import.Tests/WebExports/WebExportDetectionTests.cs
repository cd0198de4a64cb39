using Amber.Testing;

namespace Amber.Import.Tests.WebExports;

/// <summary>deepseek, grok and aistudio detection against the whole registry: each claims its sample, and no other sample changes hands.</summary>
public sealed class WebExportDetectionTests
{
    [Theory]
    [InlineData(WebExportSamples.DeepSeek, "deepseek")]
    [InlineData(WebExportSamples.Grok, "grok")]
    [InlineData(WebExportSamples.AiStudio, "aistudio")]
    public void Detect_Sample_WholeRegistryPicksItsFormat(string file, string format)
    {
        var path = ChatApps.ChatAppSamples.PathOf(file);

        Assert.Equal(format, WebExportSamples.Detect(path));
    }

    [Fact]
    public void Detect_EveryOtherSampleFile_SameFormatAsWithoutTheWebExportFormats()
    {
        var root = SharedData.PathTo("samples");
        if (root is null || !Directory.Exists(root))
        {
            Assert.Skip(SharedData.MissingMessage);
        }

        var mine = new[] { WebExportSamples.DeepSeek, WebExportSamples.Grok, WebExportSamples.AiStudio }.Select(f => Path.GetFullPath(Path.Combine(root!, f))).ToHashSet();
        var files = Directory.EnumerateFiles(root!, "*", SearchOption.AllDirectories).Where(f => !mine.Contains(Path.GetFullPath(f))).ToList();
        var detected = 0;
        foreach (var file in files)
        {
            var before = WebExportSamples.Detect(file, WebExportSamples.Added);
            var after = WebExportSamples.Detect(file);
            Assert.True(before == after, $"{file}: detected as {before ?? "nothing"} before, {after ?? "nothing"} with deepseek/grok/aistudio");
            detected += after is null ? 0 : 1;
        }

        Assert.True(detected > 20, $"only {detected} of {files.Count} sample files were detected at all: is the samples folder complete?");
    }
}
