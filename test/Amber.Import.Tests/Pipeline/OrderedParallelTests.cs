namespace Amber.Import.Tests.Pipeline;

public sealed class OrderedParallelTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public void Map_LaterItemsFinishFirst_ResultsStayInSourceOrder()
    {
        // Item 0 finishes only once item 2 has: it can succeed only if item 2 is mapped while item 0 still runs.
        using var twoDone = new ManualResetEventSlim();
        string Map(int i)
        {
            if (i == 0 && !twoDone.Wait(Patience))
            {
                throw new TimeoutException("item 2 was not mapped while item 0 ran");
            }

            if (i == 2)
            {
                twoDone.Set();
            }

            return $"r{i}";
        }

        var results = OrderedParallel.Map(Enumerable.Range(0, 10), Map, ahead: 2).ToList();

        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"r{i}"), results);
    }

    [Fact]
    public void Map_TwoItemsFail_TheFirstInSourceOrderIsReported()
    {
        using var threeFailed = new ManualResetEventSlim();
        int Map(int i)
        {
            if (i == 3)
            {
                threeFailed.Set();
                throw new InvalidOperationException("item 3");
            }

            if (i == 1)
            {
                threeFailed.Wait(Patience); // item 3 fails first in time
                throw new InvalidOperationException("item 1");
            }

            return i;
        }

        var seen = new List<int>();
        var e = Assert.Throws<InvalidOperationException>(() =>
        {
            foreach (var r in OrderedParallel.Map(Enumerable.Range(0, 6), Map, ahead: 3))
            {
                seen.Add(r);
            }
        });

        Assert.Equal("item 1", e.Message);
        Assert.Equal([0], seen);
    }

    [Fact]
    public void Map_ReadsAtMostAheadItemsBeyondTheConsumer()
    {
        var read = 0;
        IEnumerable<int> Source()
        {
            for (var i = 0; i < 100; i++)
            {
                read = i + 1;
                yield return i;
            }
        }

        var consumed = 0;
        foreach (var r in OrderedParallel.Map(Source(), i => i * 2, ahead: 4))
        {
            Assert.Equal(consumed * 2, r);
            consumed++;
            Assert.InRange(read, consumed, consumed + 4);
        }

        Assert.Equal(100, consumed);
    }
}
