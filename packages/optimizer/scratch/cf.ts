const ref: Record<number, number> = {
  2.5: 0.00040695201744495886,
  3: 2.2090496998585445e-5,
  4: 1.541725790028002e-8,
  5.66: 1.0286e-14,
};
function cf(x: number, depth: number) {
  let f = x;
  for (let n = depth; n >= 1; n--) f = x + (0.5 * n) / f;
  return (0.5641895835477563 * Math.exp(-x * x)) / f;
}
for (const x of [2.5, 3, 4])
  for (const d of [15, 20, 25, 30, 40, 50, 60]) console.log(x, d, Math.abs(cf(x, d) - ref[x]) / ref[x]);
