# Edit and run gnuplot 'accuracy-vs-ratio.gp' in this folder to write the PNG (800x600) and the SVG.
set title 'Validation accuracy after one-shot pruning'
set xlabel 'pruning ratio (fraction of weights or channels removed)'
set ylabel 'top-1 accuracy'
set grid lc rgb '#d0d0d0'
set key above box horizontal maxcols 2
set border lw 1.5
set offsets graph 0.03, graph 0.03, graph 0.03, graph 0.03
set yrange [0:1]
set style line 1 lc rgb '#1f77b4' lw 2 dt 1 pt 1 ps 1.2
set style line 2 lc rgb '#d62728' lw 2 dt 2 pt 2 ps 1.2
set style line 3 lc rgb '#2ca02c' lw 2 dt 3 pt 3 ps 1.2
set style line 4 lc rgb '#9467bd' lw 2 dt 4 pt 4 ps 1.2
set style line 5 lc rgb '#ff7f0e' lw 2 dt 5 pt 5 ps 1.2
set style line 6 lc rgb '#17becf' lw 2 dt 1 pt 6 ps 1.2
set style line 7 lc rgb '#8c564b' lw 2 dt 2 pt 7 ps 1.2
set style line 8 lc rgb '#e377c2' lw 2 dt 3 pt 8 ps 1.2
set terminal pngcairo size 800,600 font 'Sans,12' noenhanced
set output 'accuracy-vs-ratio.png'
plot 'accuracy-vs-ratio.dat' index 0 using 1:2 with linespoints ls 1 title 'teacher, l1', \
     'accuracy-vs-ratio.dat' index 1 using 1:2 with linespoints ls 2 title 'teacher, global-l1', \
     'accuracy-vs-ratio.dat' index 2 using 1:2 with linespoints ls 3 title 'teacher, channel', \
     'accuracy-vs-ratio.dat' index 3 using 1:2 with linespoints ls 4 title 'student, l1', \
     'accuracy-vs-ratio.dat' index 4 using 1:2 with linespoints ls 5 title 'student, global-l1', \
     'accuracy-vs-ratio.dat' index 5 using 1:2 with linespoints ls 6 title 'student, channel', \
     'accuracy-vs-ratio.dat' index 6 using 1:2 with linespoints ls 7 title 'student, channel+ft (1 epoch, adam lr 0.001)', \
     'accuracy-vs-ratio.dat' index 7 using 1:2 with linespoints ls 8 title 'student, channel+kd (1 epoch, adam lr 0.001, from teacher α 0.5 T 4)'
set terminal svg size 800,600 font 'Sans,12' noenhanced
set output 'accuracy-vs-ratio.svg'
replot
unset output
