namespace RawConv.Algorithms.Fooling;

/// <summary>Activation functions of CPPN nodes (Stanley 2007; Nguyen et al. 2015).</summary>
public enum CppnActivation
{
    /// <summary>sin(x).</summary>
    Sine,
    /// <summary>cos(x).</summary>
    Cosine,
    /// <summary>exp(−x²/2).</summary>
    Gaussian,
    /// <summary>1/(1 + e^−x).</summary>
    Sigmoid,
    /// <summary>tanh(x).</summary>
    Tanh,
    /// <summary>|x|.</summary>
    Abs,
    /// <summary>x.</summary>
    Identity,
}

/// <summary>A CPPN node: its activation and its depth (connections run from lower to higher depth, so the graph stays acyclic).</summary>
public sealed record CppnNode(CppnActivation Activation, double Depth);

/// <summary>A weighted connection between two nodes.</summary>
public sealed record CppnLink(int From, int To, double Weight);

/// <summary>
/// Nguyen et al.'s indirect encoding: a compositional pattern-producing network mapping each pixel's (x, y, d = √(x²+y²),
/// bias) to its channel values through a graph of nodes with varied activations, evolved as NEAT does without crossover:
/// weight perturbation (σ drawn from 0.03, 0.15 and 0.6), new connections, nodes that split a connection, changed activations. Nodes 0–3 are the inputs,
/// the next C the outputs (sigmoid, scaled to 0–255).
/// </summary>
public sealed record CppnGenome(IReadOnlyList<CppnNode> Nodes, IReadOnlyList<CppnLink> Links, int Outputs) : IGenome
{
    private const int Inputs = 4;
    private static readonly CppnActivation[] Hidden = Enum.GetValues<CppnActivation>();

    /// <summary>A random genome: inputs fully connected to <paramref name="outputs"/> outputs with Gaussian weights, plus one hidden node.</summary>
    public static CppnGenome Random(Random rng, int outputs)
    {
        var nodes = new List<CppnNode>();
        for (int i = 0; i < Inputs; i++) nodes.Add(new CppnNode(CppnActivation.Identity, 0));
        for (int i = 0; i < outputs; i++) nodes.Add(new CppnNode(CppnActivation.Sigmoid, 1));
        var links = new List<CppnLink>();
        for (int i = 0; i < Inputs; i++)
            for (int o = 0; o < outputs; o++) links.Add(new CppnLink(i, Inputs + o, Gaussian.Next(rng) * 2));
        var g = new CppnGenome(nodes, links, outputs);
        return (CppnGenome)g.AddNode(rng);
    }

    /// <inheritdoc/>
    public float[] Render(int channels, int height, int width)
    {
        if (channels != Outputs) throw new RawConvException($"a CPPN with {Outputs} outputs cannot render {channels} channels");
        var order = Enumerable.Range(0, Nodes.Count).OrderBy(i => Nodes[i].Depth).ThenBy(i => i).ToArray();
        var incoming = Enumerable.Range(0, Nodes.Count).Select(_ => new List<CppnLink>()).ToArray();
        foreach (var l in Links) incoming[l.To].Add(l);
        var value = new double[Nodes.Count];
        var img = new float[channels * height * width];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                double u = width > 1 ? 2.0 * x / (width - 1) - 1 : 0, v = height > 1 ? 2.0 * y / (height - 1) - 1 : 0;
                foreach (int n in order)
                {
                    if (n < Inputs)
                    {
                        value[n] = n switch { 0 => u, 1 => v, 2 => Math.Sqrt(u * u + v * v), _ => 1 };
                        continue;
                    }
                    double s = 0;
                    foreach (var l in incoming[n]) s += l.Weight * value[l.From];
                    value[n] = Apply(Nodes[n].Activation, s);
                }
                for (int c = 0; c < channels; c++) img[(c * height + y) * width + x] = (float)(255 * value[Inputs + c]);
            }
        return img;
    }

    /// <inheritdoc/>
    public IGenome Mutate(Random rng)
    {
        double sigma = new[] { 0.03, 0.15, 0.6 }[rng.Next(3)];
        IGenome g = this with { Links = Links.Select(l => rng.NextDouble() < 0.8 ? l with { Weight = l.Weight + Gaussian.Next(rng) * sigma } : l).ToList() };
        if (rng.NextDouble() < 0.15) g = ((CppnGenome)g).AddLink(rng);
        if (rng.NextDouble() < 0.08) g = ((CppnGenome)g).AddNode(rng);
        if (rng.NextDouble() < 0.08) g = ((CppnGenome)g).ChangeActivation(rng);
        return g;
    }

    /// <inheritdoc/>
    public string Describe() => $"cppn: {Nodes.Count} nodes, {Links.Count} connections";

    private IGenome AddNode(Random rng)
    {
        var l = Links[rng.Next(Links.Count)];
        var nodes = Nodes.ToList();
        nodes.Add(new CppnNode(Hidden[rng.Next(Hidden.Length)], (Nodes[l.From].Depth + Nodes[l.To].Depth) / 2));
        int n = nodes.Count - 1;
        var links = Links.Where(k => k != l).ToList();
        links.Add(new CppnLink(l.From, n, 1));
        links.Add(new CppnLink(n, l.To, l.Weight));
        return this with { Nodes = nodes, Links = links };
    }

    private IGenome AddLink(Random rng)
    {
        int a = rng.Next(Nodes.Count), b = rng.Next(Nodes.Count);
        if (Nodes[a].Depth > Nodes[b].Depth) (a, b) = (b, a);
        if (Nodes[a].Depth == Nodes[b].Depth || Links.Any(l => l.From == a && l.To == b)) return this;
        return this with { Links = [.. Links, new CppnLink(a, b, Gaussian.Next(rng) * 2)] };
    }

    private IGenome ChangeActivation(Random rng)
    {
        var hidden = Enumerable.Range(Inputs + Outputs, Nodes.Count - Inputs - Outputs).ToArray();
        if (hidden.Length == 0) return this;
        int n = hidden[rng.Next(hidden.Length)];
        var nodes = Nodes.ToList();
        nodes[n] = nodes[n] with { Activation = Hidden[rng.Next(Hidden.Length)] };
        return this with { Nodes = nodes };
    }

    private static double Apply(CppnActivation a, double s) => a switch
    {
        CppnActivation.Sine => Math.Sin(s),
        CppnActivation.Cosine => Math.Cos(s),
        CppnActivation.Gaussian => Math.Exp(-0.5 * s * s),
        CppnActivation.Sigmoid => 1 / (1 + Math.Exp(-s)),
        CppnActivation.Tanh => Math.Tanh(s),
        CppnActivation.Abs => Math.Abs(s),
        _ => s,
    };
}
