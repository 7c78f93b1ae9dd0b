# Edit and run gnuplot 'speedup-vs-ratio.gp' in this folder to write the PNG (800x600) and the SVG.
set title 'Inference speed-up over the dense model'
set xlabel 'pruning ratio'
set ylabel 'speed-up (dense latency / variant latency)'
set grid lc rgb '#d0d0d0'
set key above box horizontal maxcols 2
set border lw 1.5
set offsets graph 0.03, graph 0.03, graph 0.03, graph 0.03
set style line 1 lc rgb '#1f77b4' lw 2 dt 1 pt 1 ps 1.2
set terminal pngcairo size 800,600 font 'Sans,12' noenhanced
set output 'speedup-vs-ratio.png'
plot 'speedup-vs-ratio.dat' index 0 using 1:2 with linespoints ls 1 title 'teacher, channel-removed, batch 1'
set terminal svg size 800,600 font 'Sans,12' noenhanced
set output 'speedup-vs-ratio.svg'
replot
unset output
