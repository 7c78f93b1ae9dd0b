# Edit and run gnuplot 'quantization.gp' in this folder to write the PNG (800x600) and the SVG.
set title 'Min-max quantization: accuracy and size against bits'
set xlabel 'bits per weight'
set ylabel 'top-1 accuracy'
set grid lc rgb '#d0d0d0'
set key above box horizontal maxcols 2
set border lw 1.5
set offsets graph 0.03, graph 0.03, graph 0.03, graph 0.03
set y2label 'blob size (KB)'
set y2tics
set ytics nomirror
set style line 1 lc rgb '#1f77b4' lw 2 dt 1 pt 1 ps 1.2
set style line 2 lc rgb '#d62728' lw 2 dt 2 pt 2 ps 1.2
set style line 3 lc rgb '#2ca02c' lw 2 dt 3 pt 3 ps 1.2
set style line 4 lc rgb '#9467bd' lw 2 dt 4 pt 4 ps 1.2
set terminal pngcairo size 800,600 font 'Sans,12' noenhanced
set output 'quantization.png'
plot 'quantization.dat' index 0 using 1:2 with linespoints ls 1 title 'teacher accuracy', \
     'quantization.dat' index 1 using 1:2 with linespoints ls 2 axes x1y2 title 'teacher blob size', \
     'quantization.dat' index 2 using 1:2 with linespoints ls 3 title 'student accuracy', \
     'quantization.dat' index 3 using 1:2 with linespoints ls 4 axes x1y2 title 'student blob size'
set terminal svg size 800,600 font 'Sans,12' noenhanced
set output 'quantization.svg'
replot
unset output
