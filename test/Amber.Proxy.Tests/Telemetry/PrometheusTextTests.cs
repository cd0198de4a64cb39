namespace Amber.Proxy.Tests.Telemetry;

/// <summary>The strict parser the /metrics tests rely on refuses what is not exposition text.</summary>
public sealed class PrometheusTextTests
{
    [Fact]
    public void Parse_ReadsTypesLabelsAndValues()
    {
        var e = PrometheusText.Parse("# HELP a_total A.\n# TYPE a_total counter\na_total{protocol=\"x\\\"y\",b=\"\"} 3 1700000000000\n# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 0.5\nh_count 2\n# EOF\n");
        Assert.Equal("counter", e.Types["a_total"]);
        var a = e.Samples[0];
        Assert.Equal("x\"y", a.Labels["protocol"]);
        Assert.Equal(3, a.Value);
        Assert.Equal(2, e.Samples.Single(s => s.Name == "h_count").Value);
    }

    [Theory]
    [InlineData("a_total 1\n")] // no TYPE
    [InlineData("# TYPE a counter\na{x=1} 1\n")] // unquoted label value
    [InlineData("# TYPE a counter\na one\n")] // not a number
    [InlineData("# TYPE a counter\na 1 2 3\n")] // extra field
    [InlineData("# TYPE a counter\n# TYPE a gauge\n")] // two TYPEs
    [InlineData("# TYPE a widget\n")] // unknown type
    [InlineData("# comment\n")] // not HELP or TYPE
    [InlineData("# TYPE a counter\n1a 1\n")] // bad name
    public void Parse_RefusesLinesThatAreNotExposition(string text)
        => Assert.Throws<FormatException>(() => PrometheusText.Parse(text));
}
