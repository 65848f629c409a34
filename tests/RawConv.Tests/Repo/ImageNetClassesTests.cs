namespace RawConv.Tests.Repo;

/// <summary>weights/imagenet_classes.txt (from tools/imagenet_classes.py) is the 1000-line ILSVRC list in class-index order.</summary>
public class ImageNetClassesTests
{
    [Fact]
    public void ThousandNamesInIlsvrcOrder()
    {
        var lines = File.ReadAllLines(Path.Combine(RepoRulesTests.Root(), "weights", "imagenet_classes.txt"));
        Assert.Equal(1000, lines.Length);
        Assert.All(lines, l => Assert.False(string.IsNullOrWhiteSpace(l)));
        // Well-known indices of the ILSVRC-2012 order (synset_words.txt): n01440764, n02099601, n02123045, n15075141.
        Assert.Equal(("tench", "golden retriever", "tabby", "toilet tissue"), (lines[0], lines[207], lines[281], lines[999]));
    }
}
