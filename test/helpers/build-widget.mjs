// `node test/helpers/build-widget.mjs OUT_DIR RELEASE`: builds the widget (loader and chunks, as
// `npm run build:widget` does) into OUT_DIR as release RELEASE. Tests of deploys build a second
// release with it, in a process of its own so the test runner's module handling stays out of it.
import { rollup } from 'rollup';
import { widgetBuilds } from '../../rollup.config.mjs';

const [outDir, release] = process.argv.slice(2);
if (!outDir || !release) {
  console.error('usage: node test/helpers/build-widget.mjs OUT_DIR RELEASE');
  process.exit(2);
}
// The loader reads the manifest the chunk build writes: the two run in turn.
for (const config of widgetBuilds({ outDir, release }).slice(0, 2)) {
  const bundle = await rollup({ ...config, onwarn: () => undefined });
  await bundle.write(config.output);
  await bundle.close();
}
