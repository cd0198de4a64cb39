using System.Text.Json.Nodes;
using Amber.Core.Cost;

namespace Amber.Core.Tests.Cost;

/// <summary>The usage rule (which fields count as tokens in and out) and the price table's name matching.</summary>
public sealed class CostModelTests
{
    [Theory]
    [InlineData("""{"prompt_tokens":31,"completion_tokens":9,"total_tokens":40}""", 31, 9)] // OpenAI Chat
    [InlineData("""{"input_tokens":20,"output_tokens":7,"cache_creation_input_tokens":5,"cache_read_input_tokens":900}""", 25, 7)] // Anthropic: cache reads left out
    [InlineData("""{"promptTokenCount":12,"candidatesTokenCount":4,"thoughtsTokenCount":6}""", 12, 10)] // Gemini API
    [InlineData("""{"input":3,"output":2,"cached":1,"thoughts":4,"total":10}""", 3, 6)] // Gemini CLI
    public void Read_KnownUsageShapes_CountsInputAndOutput(string usage, long input, long output)
        => Assert.Equal(new TokenCounts(input, output), TokenCounts.Read((JsonObject)JsonNode.Parse(usage)!));

    [Theory]
    [InlineData("""{"token_count":12}""")]
    [InlineData("""{"prompt_tokens":"many"}""")]
    [InlineData("""{}""")]
    public void Read_UsageNamingNoTokens_IsNull(string usage) => Assert.Null(TokenCounts.Read((JsonObject)JsonNode.Parse(usage)!));

    [Theory]
    [InlineData("gpt-4o-2024-08-06", "gpt-4o")]
    [InlineData("gpt-4o-mini-2024-07-18", "gpt-4o-mini")]
    [InlineData("GPT-4.1", "gpt-4.1")]
    [InlineData("openai/o3-mini", "o3-mini")]
    [InlineData("claude-opus-4-1-20250805", "claude-opus-4")]
    [InlineData("models/gemini-2.5-flash", "gemini-2.5-flash")]
    [InlineData("gpt-4.5-preview", "gpt-4.5-preview")]
    public void Find_MatchesTheLongestPrefixEndingAtASeparator(string model, string expected)
        => Assert.Equal(expected, PriceTable.Default.Find(model)?.Model);

    [Theory]
    [InlineData("gpt-4oops")]
    [InlineData("text-davinci-002-render-sha")]
    [InlineData("llama-3-8b")]
    public void Find_UnknownModel_IsNull_NotZero(string model) => Assert.Null(PriceTable.Default.Find(model));

    [Fact]
    public void Default_EveryEntryNamesAnHttpsSource() => Assert.All(PriceTable.Default.Models, m => Assert.StartsWith("https://", m.Source, StringComparison.Ordinal));
}
