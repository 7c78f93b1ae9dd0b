# Edit and run gnuplot 'speedup-vs-ratio.gp' in this folder to write the PNG (800x600) and the SVG.
set title 'Inference speed-up over the dense model'
set xlabel 'pruning ratio'
set ylabel 'speed-up (dense latency / variant latency)'
set grid lc rgb '#d0d0d0'
set key above box horizontal maxcols 2
set border lw 1.5
set offsets graph 0.03, graph 0.03, graph 0.03, graph 0.03
set style line 1 lc rgb '#1f77b4' lw 2 dt 1 pt 1 ps 1.2
set style line 2 lc rgb '#d62728' lw 2 dt 2 pt 2 ps 1.2
set style line 3 lc rgb '#2ca02c' lw 2 dt 3 pt 3 ps 1.2
set style line 4 lc rgb '#9467bd' lw 2 dt 4 pt 4 ps 1.2
set style line 5 lc rgb '#ff7f0e' lw 2 dt 5 pt 5 ps 1.2
set style line 6 lc rgb '#17becf' lw 2 dt 1 pt 6 ps 1.2
set style line 7 lc rgb '#8c564b' lw 2 dt 2 pt 7 ps 1.2
set style line 8 lc rgb '#e377c2' lw 2 dt 3 pt 8 ps 1.2
set style line 9 lc rgb '#7f7f7f' lw 2 dt 4 pt 9 ps 1.2
set style line 10 lc rgb '#bcbd22' lw 2 dt 5 pt 10 ps 1.2
set style line 11 lc rgb '#000000' lw 2 dt 1 pt 11 ps 1.2
set style line 12 lc rgb '#393b79' lw 2 dt 2 pt 12 ps 1.2
set terminal pngcairo size 800,600 font 'Sans,12' noenhanced
set output 'speedup-vs-ratio.png'
plot 'speedup-vs-ratio.dat' index 0 using 1:2 with linespoints ls 1 title 'teacher, masked-unstructured, batch 1', \
     'speedup-vs-ratio.dat' index 1 using 1:2 with linespoints ls 2 title 'teacher, masked-sparse, batch 1', \
     'speedup-vs-ratio.dat' index 2 using 1:2 with linespoints ls 3 title 'teacher, channel-removed, batch 1', \
     'speedup-vs-ratio.dat' index 3 using 1:2 with linespoints ls 4 title 'teacher, masked-unstructured, batch 32', \
     'speedup-vs-ratio.dat' index 4 using 1:2 with linespoints ls 5 title 'teacher, masked-sparse, batch 32', \
     'speedup-vs-ratio.dat' index 5 using 1:2 with linespoints ls 6 title 'teacher, channel-removed, batch 32', \
     'speedup-vs-ratio.dat' index 6 using 1:2 with linespoints ls 7 title 'student, masked-unstructured, batch 1', \
     'speedup-vs-ratio.dat' index 7 using 1:2 with linespoints ls 8 title 'student, masked-sparse, batch 1', \
     'speedup-vs-ratio.dat' index 8 using 1:2 with linespoints ls 9 title 'student, channel-removed, batch 1', \
     'speedup-vs-ratio.dat' index 9 using 1:2 with linespoints ls 10 title 'student, masked-unstructured, batch 32', \
     'speedup-vs-ratio.dat' index 10 using 1:2 with linespoints ls 11 title 'student, masked-sparse, batch 32', \
     'speedup-vs-ratio.dat' index 11 using 1:2 with linespoints ls 12 title 'student, channel-removed, batch 32'
set terminal svg size 800,600 font 'Sans,12' noenhanced
set output 'speedup-vs-ratio.svg'
replot
unset output
